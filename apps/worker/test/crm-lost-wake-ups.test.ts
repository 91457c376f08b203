import { type CrmJob, QUEUES } from '@zaprelay/core';
import { evolutionText, waitFor } from '@zaprelay/test-kit';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntimeHarness, type RuntimeHarness, storedEvolutionMessage as stored } from './runtime-harness.js';

const T = Math.floor(Date.parse('2026-11-22T14:03:11Z') / 1000);

describe('worker runtime: chat-order wake-ups lost to a dead process or a failover', () => {
  let harness: RuntimeHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it.each([
    ['when its Redis connection comes back', 'reconnect'],
    ['when another worker process starts (a deploy)', 'start'],
  ] as const)('are found %s: the orphaned message goes long before its deadline', async (_, how) => {
    harness = await createRuntimeHarness({
      EVOLUTION_MONITORING_ENABLED: 'false',
      EVOLUTION_INSTANCES: 'sales-01',
      CRM_CHAT_ORDER_MAX_WAIT_MS: '120000',
      SUPER_CRM_RETRY_DELAY_MS: '60000',
      SUPER_CRM_RETRY_MAX_DELAY_MS: '60000',
    });
    const h = harness;
    const phone = '+5511955551234';
    const contact = h.crm.seedContact({ name: 'Cliente', phone });
    h.crm.injectFault({
      type: 'status',
      status: 503,
      method: 'POST',
      path: `/contacts/${contact.id}/activities`,
      times: 1,
    });
    const { runtime, connection } = await h.startWorker();
    const events = runtime.queues[QUEUES.events];
    const crm = runtime.queues[QUEUES.crm];
    const jobOf = async (messageId: string) =>
      (await crm.getJobs(['delayed', 'wait', 'active', 'completed'])).find(
        (j) => (j.data as Extract<CrmJob, { kind: 'message-activity' }>).message?.messageId === messageId,
      );

    // The first message fails once and sits in a minute's backoff; the second goes to sleep behind it.
    await events.add('e', stored(evolutionText({ id: 'ORDER-FIRST', phone, timestamp: T })));
    await waitFor('the first in its backoff', async () => (await (await jobOf('ORDER-FIRST'))?.isDelayed()) === true);
    await events.add('e', stored(evolutionText({ id: 'ORDER-SECOND', phone, timestamp: T + 1 })));
    await waitFor('the second asleep behind it', async () => {
      const job = await jobOf('ORDER-SECOND');
      return (
        (job?.data as Extract<CrmJob, { kind: 'message-activity' }> | undefined)?.orderWaitSince !== undefined &&
        (await job?.isDelayed()) === true
      );
    });

    // The first leaves without its wake-up (its process died in between)...
    await (await jobOf('ORDER-FIRST'))?.remove();
    // ...and the connection drops and comes back, or a new worker process starts.
    if (how === 'reconnect') (connection as Redis).disconnect(true);
    else await h.startWorker();

    await waitFor(
      'the second in the CRM',
      () => h.crm.activities().some((a) => a.metadata.message_id === 'ORDER-SECOND'),
      15_000,
      50,
    );
    expect(h.crm.activities().map((a) => a.metadata.message_id)).toEqual(['ORDER-SECOND']);
  });
});
