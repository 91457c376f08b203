import { messageActivityKey, toJobId } from '@zaprelay/core';
import { waitFor } from '@zaprelay/test-kit';
import { testRedisUrl } from '@zaprelay/test-kit/vitest';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { activityCounts, activityRequestsByKey, waitForActivities } from '../support/crm-expectations.js';
import { type Doubles, startDoubles } from '../support/doubles.js';
import { openStackQueues, type StackQueues } from '../support/stack-queues.js';
import { type SystemStack, startSystemStack } from '../support/system-stack.js';
import { postEvolutionText } from '../support/webhooks.js';

const jobIdOf = (messageId: string) => toJobId(messageActivityKey({ instance: 'sales-01', messageId }));

describe('fault: the CRM answers errors', () => {
  let doubles: Doubles;
  let stack: SystemStack;
  let queues: StackQueues;

  beforeAll(async () => {
    doubles = await startDoubles();
    stack = await startSystemStack({
      redisUrl: testRedisUrl(),
      ...doubles,
      label: 'fault-crm-errors',
      // 100 ms doubling up to 1 s over 10 attempts: about 6 s of patience, enough for the outage below.
      env: {
        SUPER_CRM_RETRY_MAX_ATTEMPTS: '10',
        SUPER_CRM_RETRY_DELAY_MS: '100',
        SUPER_CRM_RETRY_MAX_DELAY_MS: '1000',
      },
    });
    queues = openStackQueues(stack.env);
  });
  afterAll(async () => {
    await queues?.close();
    await stack?.close();
    await doubles?.close();
  });

  it('503 for a while: the jobs back off and every event arrives once the CRM recovers', async () => {
    onTestFailed(() => console.log(stack.outputTail()));
    const { crm } = doubles;
    const phones = ['5511960000001', '5511960000002'];
    for (const [i, phone] of phones.entries()) crm.seedContact({ name: `Outage ${i}`, phone: `+${phone}` });
    const outage = 15;
    crm.injectFault({ type: 'unavailable', method: 'POST', path: '/contacts/:id/activities', times: outage });

    const messages = Array.from({ length: 6 }, (_, n) => ({ id: `CRM503-${n}`, phone: phones[n % 2] as string }));
    for (const message of messages) expect(await postEvolutionText(stack.ingressUrl, message)).toBe(202);
    const ids = messages.map((m) => m.id);
    await waitForActivities(crm, ids);
    await queues.waitUntilIdle();

    const counts = activityCounts(crm);
    expect(ids.map((id) => counts.get(id))).toEqual(ids.map(() => 1));
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
    onTestFailed(() => console.log(stack.outputTail()));
    const { crm } = doubles;
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
