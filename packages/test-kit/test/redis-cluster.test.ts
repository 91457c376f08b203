import {
  createQueue,
  createRedisConnection,
  createSystemQueues,
  loadConfig,
  QUEUES,
  queuePrefix,
} from '@zaprelay/core';
import { FlowProducer, type Job, Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { deleteKeysUnder, mastersHoldingKeys } from '../src/redis/prefix-keys.js';
import { uniquePrefix, useRedisCluster } from '../src/vitest/index.js';

describe('a local 3-master Redis Cluster under BullMQ', () => {
  const cluster = useRedisCluster(3);

  it('runs every queue (3 events shards) and a contact-sync flow without CROSSSLOT, on more than one master', async () => {
    const config = loadConfig({
      REDIS_CLUSTER_NODES: cluster.nodes,
      QUEUE_PREFIX: uniquePrefix('cluster'),
      QUEUE_SHARDS: '3',
    });
    const connection = createRedisConnection(config, { role: 'worker', name: 'cluster-test' });
    expect(connection).toBeInstanceOf(Cluster);
    const system = createSystemQueues({ connection, config });
    const workers: Worker[] = [];
    let flows: FlowProducer | undefined;
    try {
      const done: string[] = [];
      for (const queue of system.all) {
        workers.push(
          new Worker(queue.name, async (job: Job) => void done.push(`${queue.name}/${job.id}`), {
            connection,
            prefix: queuePrefix(config, queue.name),
          }),
        );
      }
      for (const queue of system.all) await queue.add('probe', { n: 1 }, { jobId: `probe-${queue.name}` });
      // A flow across two queues, as a contact sync is: the parent in contact-sync, its child in crm (one hash tag).
      flows = new FlowProducer({ connection });
      const flow = await flows.add({
        name: 'sync',
        queueName: QUEUES.contactSync,
        prefix: queuePrefix(config, QUEUES.contactSync),
        opts: { jobId: 'parent' },
        children: [{ name: 'child', queueName: QUEUES.crm, prefix: queuePrefix(config, QUEUES.crm), data: {} }],
      });
      const parent = flow.job;
      await expect
        .poll(() => done.length, { timeout: 20_000, interval: 100 })
        .toBeGreaterThanOrEqual(system.all.length + 2);
      await expect.poll(() => parent.getState(), { timeout: 10_000 }).toBe('completed');
      expect(system.eventsShards.map((q) => q.name)).toEqual(['events', 'events-1', 'events-2']);

      // The keys are spread: more than one master holds some.
      expect(await mastersHoldingKeys(connection, config.QUEUE_PREFIX)).toBeGreaterThan(1);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await flows?.close();
      await system.close();
      await deleteKeysUnder(connection, config.QUEUE_PREFIX);
      connection.disconnect();
    }
  }, 60_000);

  it('a plain prefix (no hash tag) fails with CROSSSLOT: the reason the tags exist', async () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: cluster.nodes, QUEUE_PREFIX: uniquePrefix('untagged') });
    const connection = createRedisConnection(config, { role: 'producer', name: 'cluster-test-untagged' });
    try {
      const untagged = createQueue(QUEUES.events, {
        connection,
        config: { ...config, REDIS_CLUSTER_NODES: undefined },
      });
      await expect(untagged.add('probe', {})).rejects.toThrow(/CROSSSLOT/);
      await untagged.close();
    } finally {
      connection.disconnect();
    }
  });
});
