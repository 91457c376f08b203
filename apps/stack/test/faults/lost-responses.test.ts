import { describe, expect, it } from 'vitest';
import { activityRequestsByKey, expectEachOnce, seedContacts, waitForActivities } from '../support/crm-expectations.js';
import { useSystemStack } from '../support/use-system-stack.js';
import { postTexts } from '../support/webhooks.js';

describe('fault: the CRM commits an activity but its response is lost', () => {
  const f = useSystemStack({ label: 'fault-lost' });

  it('the retry carries the same Idempotency-Key: no duplicate activity', async () => {
    const { stack, queues } = f;
    const { crm } = f.doubles;
    const phones = ['5511950000001', '5511950000002'];
    seedContacts(crm, phones, 'Lost');
    const lost = 6;
    crm.injectFault({
      type: 'drop-response-after-commit',
      method: 'POST',
      path: '/contacts/:id/activities',
      times: lost,
    });

    const ids = await postTexts(stack.ingressUrl, 'LOST', 8, phones);
    await waitForActivities(crm, ids);
    // The first (lost) request already committed: wait for the retries too before counting.
    await queues.waitUntilIdle();

    expectEachOnce(crm, ids);

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
