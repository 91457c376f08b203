import { messageActivityKey, toJobId } from '@zaprelay/core';
import { waitFor } from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import {
  activityCounts,
  activityRequestsByKey,
  expectEachOnce,
  seedContacts,
  waitForActivities,
} from '../support/crm-expectations.js';
import { useSystemStack } from '../support/use-system-stack.js';
import { postEvolutionText, postTexts } from '../support/webhooks.js';

const jobIdOf = (messageId: string) => toJobId(messageActivityKey({ instance: 'sales-01', messageId }));

describe('fault: the CRM answers errors', () => {
  const f = useSystemStack({
    label: 'fault-crm-errors',
    // 100 ms doubling up to 1 s over 10 attempts: about 6 s of patience, enough for the outage below.
    env: {
      SUPER_CRM_RETRY_MAX_ATTEMPTS: '10',
      SUPER_CRM_RETRY_DELAY_MS: '100',
      SUPER_CRM_RETRY_MAX_DELAY_MS: '1000',
    },
  });

  it('503 for a while: the jobs back off and every event arrives once the CRM recovers', async () => {
    const { stack, queues } = f;
    const { crm } = f.doubles;
    const phones = ['5511960000001', '5511960000002'];
    seedContacts(crm, phones, 'Outage');
    const outage = 15;
    crm.injectFault({ type: 'unavailable', method: 'POST', path: '/contacts/:id/activities', times: outage });

    const ids = await postTexts(stack.ingressUrl, 'CRM503', 6, phones);
    await waitForActivities(crm, ids);
    await queues.waitUntilIdle();

    expectEachOnce(crm, ids);
    expect(crm.pendingFaults()).toBe(0);
    const refused = crm.requests().filter((r) => r.fault === 'unavailable');
    expect(refused).toHaveLength(outage);
    expect(refused.every((r) => r.status === 503)).toBe(true);
    // Every job got through in the end, most only after several attempts.
    for (const id of ids) {
      const job = await queues.crm.getJob(jobIdOf(id));
      expect(await job?.getState(), id).toBe('completed');
    }
    expect(await queues.crm.getFailedCount()).toBe(0);
  });

  it('a permanent 422: the job ends in the failed set after one request, and the others still arrive', async () => {
    const { stack, queues } = f;
    const { crm } = f.doubles;
    crm.clearFaults();
    const refused = crm.seedContact({ name: 'Refused', phone: '+5511960000101' });
    crm.seedContact({ name: 'Accepted', phone: '+5511960000102' });
    // Armed for many requests: a retry, if there were one, would be refused too, and visible.
    crm.injectFault({
      type: 'status',
      status: 422,
      method: 'POST',
      path: `/contacts/${refused.id}/activities`,
      times: 50,
    });

    expect(await postEvolutionText(stack.ingressUrl, { id: 'CRM422-REFUSED', phone: '5511960000101' })).toBe(202);
    expect(await postEvolutionText(stack.ingressUrl, { id: 'CRM422-OK', phone: '5511960000102' })).toBe(202);
    await waitForActivities(crm, ['CRM422-OK']);

    const failed = await waitFor('the refused job in the CRM failed set', async () =>
      (await queues.crm.getFailed()).find((j) => j.id === jobIdOf('CRM422-REFUSED')),
    );
    expect(failed?.failedReason).toMatch(/422/);
    expect(failed?.attemptsMade).toBe(1);
    await queues.waitUntilIdle();
    const key = messageActivityKey({ instance: 'sales-01', messageId: 'CRM422-REFUSED' });
    expect(activityRequestsByKey(crm).get(key)).toBe(1);
    expect(activityCounts(crm).has('CRM422-REFUSED')).toBe(false);
    expect(activityCounts(crm).get('CRM422-OK')).toBe(1);
  });
});
