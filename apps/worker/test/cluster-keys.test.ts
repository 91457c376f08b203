import {
  createLogger,
  createMetricsRegistry,
  createRedisConnection,
  loadConfig,
  type RedisClient,
} from '@zaprelay/core';
import { deleteKeysUnder } from '@zaprelay/test-kit';
import { uniquePrefix, useRedisCluster } from '@zaprelay/test-kit/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactCache } from '../src/crm/contact-cache.js';
import { instrumentClient } from '../src/metrics/instrument-client.js';
import { createWorkerMetrics } from '../src/metrics/worker-metrics.js';
import { createAlertPublisher } from '../src/monitor/alert-publisher.js';
import { DEFAULT_THRESHOLDS } from '../src/monitor/derive-health.js';
import { createHealthTracker } from '../src/monitor/health-tracker.js';
import { createMonitorStore } from '../src/monitor/monitor-store.js';
import { claimMessage } from '../src/outbound/earlier-send.js';

/**
 * Our own keys on a Redis Cluster: every command (MULTI, Lua) touches keys of
 * one slot, so none fails with CROSSSLOT. Only the many-key paths are here;
 * BullMQ's are in the system test.
 */
describe('worker keys on a 3-master Redis Cluster', () => {
  const cluster = useRedisCluster(3);
  let redis: RedisClient;
  const prefix = uniquePrefix('cluster-keys');
  const config = () => loadConfig({ QUEUE_PREFIX: prefix, REDIS_CLUSTER_NODES: cluster.nodes });
  beforeAll(() => {
    redis = createRedisConnection(config(), { role: 'worker', name: 'cluster-keys-test' });
  });
  afterAll(async () => {
    if (redis) await deleteKeysUnder(redis, prefix);
    redis?.disconnect();
  });

  it('the contact cache: a contact moved to a new phone, then forgotten', async () => {
    const cache = createContactCache(redis, config());
    await cache.set('+5511900000001', 'ct_1');
    await cache.set('+5511900000002', 'ct_1');
    expect(await cache.get('+5511900000001')).toBeUndefined();
    expect(await cache.get('+5511900000002')).toBe('ct_1');
    await cache.forget('+5511900000002', 'ct_1');
    expect(await cache.get('+5511900000002')).toBeUndefined();
  });

  it('the monitor (history, alerts, quiet period), the CRM window and send claims', async () => {
    const cfg = config();
    const logger = createLogger({ ...cfg, LOG_LEVEL: 'silent' }, { name: 'test' });
    const metrics = createWorkerMetrics({
      registry: createMetricsRegistry('test', { defaults: false }),
      config: cfg,
      redis,
      queues: [],
    });
    const store = createMonitorStore(redis, prefix, 5);
    const publish = createAlertPublisher({
      redis,
      prefix,
      store,
      quietPeriodMs: 60_000,
      logger,
      changes: metrics.healthChanges,
    });
    const tracker = createHealthTracker({ store, publish, thresholds: DEFAULT_THRESHOLDS });
    const client = instrumentClient(
      { ping: async () => 'pong', boom: async () => Promise.reject(new Error('down')) },
      { api: 'supercrm', metrics, tracker, logger, window: { redis, prefix, durationMs: 60_000 } },
    );
    await client.ping();
    for (let i = 0; i < 6; i++) await client.boom().catch(() => {});
    expect((await store.history('api:supercrm')).length).toBeGreaterThan(0);
    expect(await store.alerts()).not.toEqual([]);
    expect(await claimMessage(redis, prefix, 'sales-01', 'MSG-1', 'job-1')).toBe(true);
    expect(await claimMessage(redis, prefix, 'sales-01', 'MSG-1', 'job-2')).toBe(false);
  });
});
