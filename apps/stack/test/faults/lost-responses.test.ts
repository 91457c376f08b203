import { testRedisUrl } from '@zaprelay/test-kit/vitest';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { activityCounts, activityRequestsByKey, waitForActivities } from '../support/crm-expectations.js';
import { type Doubles, startDoubles } from '../support/doubles.js';
import { openStackQueues, type StackQueues } from '../support/stack-queues.js';
import { type SystemStack, startSystemStack } from '../support/system-stack.js';
import { postEvolutionText } from '../support/webhooks.js';

describe('fault: the CRM commits an activity but its response is lost', () => {
  let doubles: Doubles;
  let stack: SystemStack;
  let queues: StackQueues;

  beforeAll(async () => {
    doubles = await startDoubles();
    stack = await startSystemStack({ redisUrl: testRedisUrl(), ...doubles, label: 'fault-lost' });
    queues = openStackQueues(stack.env);
  });
  afterAll(async () => {
    await queues?.close();
    await stack?.close();
    await doubles?.close();
  });

  it('the retry carries the same Idempotency-Key: no duplicate activity', async () => {
    onTestFailed(() => console.log(stack.outputTail()));
    const { crm } = doubles;
    const phones = ['5511950000001', '5511950000002'];
    for (const [i, phone] of phones.entries()) crm.seedContact({ name: `Lost ${i}`, phone: `+${phone}` });
    const lost = 6;
    crm.injectFault({
      type: 'drop-response-after-commit',
      method: 'POST',
      path: '/contacts/:id/activities',
      times: lost,
    });

    const messages = Array.from({ length: 8 }, (_, n) => ({ id: `LOST-${n}`, phone: phones[n % 2] as string }));
    for (const message of messages) expect(await postEvolutionText(stack.ingressUrl, message)).toBe(202);
    const ids = messages.map((m) => m.id);
    await waitForActivities(crm, ids);
    // The first (lost) request already committed: wait for the retries too before counting.
    await queues.waitUntilIdle();

    const counts = activityCounts(crm);
    expect(ids.map((id) => counts.get(id))).toEqual(ids.map(() => 1));
    expect(crm.activities()).toHaveLength(ids.length);

    expect(crm.pendingFaults()).toBe(0);
    const requests = crm.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/activities'));
    // Each lost response was committed, then asked again under its key and answered from the stored result.
    const dropped = requests.filter((r) => r.dropped);
    expect(dropped).toHaveLength(lost);
    expect(dropped.every((r) => r.status === 201)).toBe(true);
    for (const d of dropped) {
      expect(requests.some((r) => r.replayed && r.idempotencyKey === d.idempotencyKey && r.time > d.time)).toBe(true);
    }
    expect([...activityRequestsByKey(crm).keys()]).not.toContain('(none)');
  });
});
