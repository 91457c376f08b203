import { waitFor } from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import { activityRequestsByKey, expectEachOnce, seedContacts, waitForActivities } from '../support/crm-expectations.js';
import { useSystemStack } from '../support/use-system-stack.js';
import { postTexts } from '../support/webhooks.js';

describe('fault: a worker is SIGKILLed while it holds active CRM jobs', () => {
  const f = useSystemStack({
    label: 'fault-sigkill',
    // A dead worker's locks expire within 2 s and another worker looks for stalled jobs every second.
    env: { WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000', WORKER_MAX_STALLED_COUNT: '3' },
  });

  it('another worker recovers the stalled jobs: every event reaches the CRM exactly once', async () => {
    const { stack, queues } = f;
    const { crm } = f.doubles;
    const phones = ['5511940000001', '5511940000002', '5511940000003'];
    seedContacts(crm, phones, 'Sigkill');
    // A slow CRM keeps the jobs active (their request in flight) long enough to kill the worker under them.
    crm.injectFault({ type: 'delay', ms: 1000, method: 'POST', path: '/contacts/:id/activities', times: 1_000_000 });

    const ids = await postTexts(stack.ingressUrl, 'SIGKILL', 12, phones);

    const inFlight = () =>
      crm.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/activities') && r.status === undefined);
    const victim = stack.workers[0];
    if (!victim) throw new Error('no worker');
    await waitFor('the worker to hold several activity requests in flight', () => inFlight().length >= 2);
    const cutOff = new Set(inFlight().map((r) => r.idempotencyKey));
    victim.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');

    await stack.startWorker();
    await waitForActivities(crm, ids);
    await queues.waitUntilIdle();

    expectEachOnce(crm, ids);
    // The jobs cut off were really done again by the new worker (recovered as stalled), not lost or skipped.
    const requests = activityRequestsByKey(crm);
    for (const key of cutOff) expect(requests.get(key as string), key).toBeGreaterThanOrEqual(2);
  });
});
