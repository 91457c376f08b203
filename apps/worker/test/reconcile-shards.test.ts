import { createSystemQueues, eventsShardOf, QUEUES } from '@zaprelay/core';
import { evolutionText, waitFor } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackfill, storeEvolutionWebhook } from './reconcile-helpers.js';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

const HOUR = 3600_000;
/** Lands on the second shard of two (a stable hash, checked below). */
const INSTANCE = 'loja-1';

describe('reconciliation with events shards (QUEUE_SHARDS=2)', () => {
  let harness: RuntimeHarness;
  beforeAll(async () => {
    harness = await createRuntimeHarness(
      { EVOLUTION_MONITORING_ENABLED: 'false', QUEUE_SHARDS: '2', EVOLUTION_INSTANCES: INSTANCE },
      { max: 10_000, windowMs: 60_000 },
    );
    harness.evolution.addInstance(INSTANCE, 'open');
  });
  afterAll(() => harness.close());

  it('a read-back message goes to its instance’s shard, and one its webhook brought there is known', async () => {
    const { runtime, connection } = await harness.startWorker();
    const system = createSystemQueues({ connection, config: harness.config });
    try {
      const shard = system.eventsQueueFor(INSTANCE);
      expect(shard.name).toBe(eventsShardOf(INSTANCE, 2));
      expect(shard.name).not.toBe(QUEUES.events);

      const at = Math.floor((Date.now() - HOUR) / 1000);
      const bodies = ['SHARD-WEBHOOK', 'SHARD-LOST'].map((id, n) =>
        evolutionText({ id, instance: INSTANCE, phone: '5511955550001', timestamp: at + n, text: id }),
      );
      for (const body of bodies) harness.evolution.storeMessage(INSTANCE, body.data);
      // The first came as a webhook: the ingress stored it on the instance's shard.
      await storeEvolutionWebhook(
        { queue: shard, redis: connection, prefix: harness.config.QUEUE_PREFIX },
        bodies[0] as (typeof bodies)[0],
      );

      const progress = await runBackfill(runtime.queues[QUEUES.backfill], {
        instance: INSTANCE,
        gateway: 'evolution',
        since: Date.now() - 2 * HOUR,
        until: Date.now(),
      });
      expect(progress).toMatchObject({ read: 2, known: 1, queued: 1 });
      await waitFor('2 activities', () => harness.crm.activities().length >= 2, 30_000, 50);

      // Both events went through the instance's shard; shard 0 saw none of them.
      const onShard = (await shard.getJobs(['completed', 'waiting', 'active'])).map((j) => j.data.payload.data.key.id);
      expect(onShard.sort()).toEqual(['SHARD-LOST', 'SHARD-WEBHOOK']);
      expect(await runtime.queues[QUEUES.events].getJobCountByTypes('completed', 'waiting', 'active')).toBe(0);
      expect(
        harness.crm
          .activities()
          .map((a) => a.metadata.message_id)
          .sort(),
      ).toEqual(['SHARD-LOST', 'SHARD-WEBHOOK']);
    } finally {
      await system.close();
    }
  });
});
