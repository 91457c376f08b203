import { createMetricsRegistry, createRedisConnection, createSystemQueues } from '@zaprelay/core';
import { deleteKeysUnder, parsePrometheusText } from '@zaprelay/test-kit';
import { testConfig } from '@zaprelay/test-kit/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { createWorkerMetrics } from '../src/metrics/worker-metrics.js';

describe('queue depth metrics with events shards (QUEUE_SHARDS=2)', () => {
  const config = testConfig({ QUEUE_SHARDS: '2' });
  const redis = createRedisConnection(config.REDIS_URL, { role: 'worker', name: 'shard-metrics-test' });
  const queues = createSystemQueues({ connection: redis, config });
  afterAll(async () => {
    await queues.close();
    await deleteKeysUnder(redis, config.QUEUE_PREFIX);
    redis.disconnect();
  });

  it('zaprelay_queue_jobs sums the shards as `events`; zaprelay_queue_shard_jobs shows each', async () => {
    const [shard0, shard1] = queues.eventsShards;
    await shard0?.add('probe', {});
    await shard1?.add('probe', {});
    await shard1?.add('probe', {});
    const registry = createMetricsRegistry('shard-metrics-test', { defaults: false });
    createWorkerMetrics({ registry, config, redis, queues: queues.all });
    const families = new Map(parsePrometheusText(await registry.metrics()).map((f) => [f.name, f]));
    const waiting = (name: string, labels: Record<string, string>) =>
      families
        .get(name)
        ?.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
        .map((m) => Number(m.value));
    expect(waiting('zaprelay_queue_jobs', { state: 'waiting', queue: 'events' })).toEqual([3]);
    expect(waiting('zaprelay_queue_jobs', { state: 'waiting', queue: 'events-1' })).toEqual([]);
    expect(waiting('zaprelay_queue_shard_jobs', { state: 'waiting', queue: 'events', shard: 'events' })).toEqual([1]);
    expect(waiting('zaprelay_queue_shard_jobs', { state: 'waiting', queue: 'events', shard: 'events-1' })).toEqual([2]);
  });
});
