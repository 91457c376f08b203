import { waitFor } from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import { expectEachOnce, seedContacts, waitForActivities } from '../support/crm-expectations.js';
import { useOwnRedis } from '../support/own-redis.js';
import { isRunning } from '../support/system-stack.js';
import { useSystemStack } from '../support/use-system-stack.js';
import { postTexts } from '../support/webhooks.js';

/** Far longer than a worker's drain delay (5 s) plus its blocking watchdog: BullMQ #4585 parked workers here for good. */
const OUTAGE_MS = 30_000;

describe('fault: Redis gone for 30 s under idle workers, then back', () => {
  const redis = useOwnRedis('long-outage');
  // Two workers with one role each: the CRM only sees the messages if BOTH are processing again.
  const f = useSystemStack({ redisUrl: () => redis.url, label: 'fault-long-outage', workers: 0 });

  it('every worker processes again without a restart: webhooks sent after the outage reach the CRM once', async () => {
    const { stack, queues } = f;
    const { crm } = f.doubles;
    const phones = ['5511990000001', '5511990000002'];
    seedContacts(crm, phones, 'Long Outage');
    await stack.startWorker({ WORKER_QUEUES: 'events' });
    await stack.startWorker({ WORKER_QUEUES: 'crm' });
    const before = await postTexts(stack.ingressUrl, 'LONG-BEFORE', 4, phones);
    await waitForActivities(crm, before);
    const pids = stack.workers.map((w) => w.child.pid);

    // Workers sit in their blocking wait on an empty queue when Redis goes.
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await redis.restart();
    const processes = [stack.ingress, ...stack.workers];
    for (const proc of processes) {
      const url = stack.readyUrl(proc);
      await waitFor('every process to see Redis again', async () => (await fetch(url)).status === 200, 30_000);
    }
    const after = await postTexts(stack.ingressUrl, 'LONG-AFTER', 12, phones);
    await waitForActivities(crm, after, 45_000);
    await queues.waitUntilIdle();
    expectEachOnce(crm, [...before, ...after]);

    // The same worker processes did it: nothing was restarted.
    expect(stack.workers.every(isRunning)).toBe(true);
    expect(stack.workers.map((w) => w.child.pid)).toEqual(pids);
  });
});
