import { waitFor } from '@zaprelay/test-kit';
import { testRedisUrl } from '@zaprelay/test-kit/vitest';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { activityCounts, activityRequestsByKey, waitForActivities } from '../support/crm-expectations.js';
import { type Doubles, startDoubles } from '../support/doubles.js';
import { openStackQueues, type StackQueues } from '../support/stack-queues.js';
import { type SystemStack, startSystemStack } from '../support/system-stack.js';
import { postEvolutionText } from '../support/webhooks.js';

describe('fault: a worker is SIGKILLed while it holds active CRM jobs', () => {
  let doubles: Doubles;
  let stack: SystemStack;
  let queues: StackQueues;

  beforeAll(async () => {
    doubles = await startDoubles();
    stack = await startSystemStack({
      redisUrl: testRedisUrl(),
      ...doubles,
      label: 'fault-sigkill',
      // A dead worker's locks expire within 2 s and another worker looks for stalled jobs every second.
      env: { WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000', WORKER_MAX_STALLED_COUNT: '3' },
    });
    queues = openStackQueues(stack.env);
  });
  afterAll(async () => {
    await queues?.close();
    await stack?.close();
    await doubles?.close();
  });

  it('another worker recovers the stalled jobs: every event reaches the CRM exactly once', async () => {
    onTestFailed(() => console.log(stack.outputTail()));
    const { crm } = doubles;
    const phones = ['5511940000001', '5511940000002', '5511940000003'];
    for (const [i, phone] of phones.entries()) crm.seedContact({ name: `Sigkill ${i}`, phone: `+${phone}` });
    // A slow CRM keeps the jobs active (their request in flight) long enough to kill the worker under them.
    crm.injectFault({ type: 'delay', ms: 1000, method: 'POST', path: '/contacts/:id/activities', times: 1_000_000 });

    const messages = Array.from({ length: 12 }, (_, n) => ({ id: `SIGKILL-${n}`, phone: phones[n % 3] as string }));
    for (const message of messages) expect(await postEvolutionText(stack.ingressUrl, message)).toBe(202);

    const inFlight = () =>
      crm.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/activities') && r.status === undefined);
    const victim = stack.workers[0];
    if (!victim) throw new Error('no worker');
    await waitFor('the worker to hold several activity requests in flight', () => inFlight().length >= 2);
    const cutOff = new Set(inFlight().map((r) => r.idempotencyKey));
    victim.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');

    await stack.startWorker();
    const ids = messages.map((m) => m.id);
    await waitForActivities(crm, ids);
    await queues.waitUntilIdle();

    const counts = activityCounts(crm);
    expect(ids.map((id) => counts.get(id))).toEqual(ids.map(() => 1));
    expect(crm.activities()).toHaveLength(ids.length);
    // The jobs cut off were really done again by the new worker (recovered as stalled), not lost or skipped.
    const requests = activityRequestsByKey(crm);
    for (const key of cutOff) expect(requests.get(key as string), key).toBeGreaterThanOrEqual(2);
  });
});
