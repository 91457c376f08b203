import {
  createLogger,
  createMetricsRegistry,
  createQueue,
  createRedisConnection,
  monitorKeys,
  QUEUES,
} from '@zaprelay/core';
import { createCrmClient } from '@zaprelay/supercrm-client';
import { createSuperCrmDouble, deleteKeysUnder } from '@zaprelay/test-kit';
import { testConfig } from '@zaprelay/test-kit/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { instrumentClient } from '../src/metrics/instrument-client.js';
import { createWorkerMetrics } from '../src/metrics/worker-metrics.js';
import { createAlertPublisher } from '../src/monitor/alert-publisher.js';
import { DEFAULT_THRESHOLDS } from '../src/monitor/derive-health.js';
import { createHealthTracker } from '../src/monitor/health-tracker.js';
import { createMonitorStore } from '../src/monitor/monitor-store.js';
import { buildMonitor } from './monitor-fixture.js';

const at = () => new Date().toISOString();

function build(maxHistory = 5, quietPeriodMs = 60_000) {
  return buildMonitor({ maxHistory, quietPeriodMs });
}

describe('health tracker', () => {
  const built: ReturnType<typeof build>[] = [];
  const make = (...args: Parameters<typeof build>) => {
    const b = build(...args);
    built.push(b);
    return b;
  };
  afterAll(async () => {
    for (const { redis, config } of built) {
      await deleteKeysUnder(redis, config.QUEUE_PREFIX);
      redis.disconnect();
    }
  });

  it('keeps history capped at the maximum, newest first', async () => {
    const { tracker, store } = make(5);
    for (let i = 0; i < 12; i++)
      await tracker.observeInstance('shop', 'evolution', { at: at(), state: 'open', responseTimeMs: i });
    const history = await store.history('instance:shop');
    expect(history).toHaveLength(5);
    expect(history.map((h) => h.responseTimeMs)).toEqual([11, 10, 9, 8, 7]);
  });

  it('records a change to close as one alert, and recovery as another', async () => {
    const { tracker, store, metrics } = make();
    await tracker.observeInstance('shop', 'evolution', { at: at(), state: 'open', responseTimeMs: 20 });
    expect(await store.alerts()).toHaveLength(0);
    await tracker.observeInstance('shop', 'evolution', { at: at(), state: 'close', responseTimeMs: 20 });
    await tracker.observeInstance('shop', 'evolution', { at: at(), state: 'close', responseTimeMs: 20 });
    const alerts = await store.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ subject: 'instance:shop', from: 'healthy', to: 'down' });
    expect(await store.instanceStatus('shop')).toMatchObject({ state: 'close', status: 'down' });
    await tracker.observeInstance('shop', 'evolution', { at: at(), state: 'open', responseTimeMs: 20 });
    expect((await store.alerts())[0]).toMatchObject({ from: 'down', to: 'healthy' });
    expect((await metrics.healthChanges.get()).values.find((v) => v.labels.to === 'down')?.value).toBe(1);
  });

  it('sends one alert per condition within the quiet period, however many workers see it', async () => {
    const a = make();
    const b = build();
    built.push(b);
    // Second "worker" shares the first one's prefix (same Redis keys).
    const storeB = createMonitorStore(b.redis, a.config.QUEUE_PREFIX, 5);
    const trackerB = createHealthTracker({
      store: storeB,
      publish: createAlertPublisher({
        redis: b.redis,
        prefix: a.config.QUEUE_PREFIX,
        store: storeB,
        quietPeriodMs: 60_000,
        logger: createLogger(a.config, { name: 'test' }),
        changes: b.metrics.healthChanges,
      }),
      thresholds: DEFAULT_THRESHOLDS,
    });
    await a.tracker.observeInstance('sales', 'evolution', { at: at(), state: 'open' });
    await Promise.all([
      a.tracker.observeInstance('sales', 'evolution', { at: at(), state: 'close' }),
      trackerB.observeInstance('sales', 'evolution', { at: at(), state: 'close' }),
    ]);
    expect(await a.store.alerts()).toHaveLength(1);
    expect(await a.redis.exists(monitorKeys(a.config.QUEUE_PREFIX).alerts)).toBe(1);
  });
});

describe('alert publisher', () => {
  it('gives the quiet period back when the alert could not be stored, so the next check raises it again', async () => {
    const config = testConfig();
    const redis = createRedisConnection(config.REDIS_URL, { role: 'worker' });
    // A producer connection fails fast instead of queueing commands while Redis is away.
    const unreachable = createRedisConnection('redis://127.0.0.1:1', { role: 'producer' });
    unreachable.on('error', () => {});
    const alertsQueue = createQueue(QUEUES.alerts, { connection: redis, config });
    const publisherWith = (storeConnection: typeof redis) =>
      createAlertPublisher({
        redis,
        prefix: config.QUEUE_PREFIX,
        store: createMonitorStore(storeConnection, config.QUEUE_PREFIX, 5),
        alertsQueue,
        quietPeriodMs: 60_000,
        logger: createLogger(config, { name: 'test' }),
        changes: createWorkerMetrics({
          registry: createMetricsRegistry('test', { defaults: false }),
          config,
          redis,
          queues: [],
        }).healthChanges,
      });
    const change = { subject: 'api:supercrm', from: 'healthy', to: 'down', reason: 'HTTP 503' } as const;
    try {
      await expect(publisherWith(unreachable)(change)).rejects.toThrow();
      expect(await alertsQueue.getJobCounts('waiting')).toEqual({ waiting: 0 });
      expect(await publisherWith(redis)(change)).toMatchObject({ subject: 'api:supercrm', to: 'down' });
      expect(await alertsQueue.getJobCounts('waiting')).toEqual({ waiting: 1 });
    } finally {
      await alertsQueue.obliterate({ force: true });
      await alertsQueue.close();
      await deleteKeysUnder(redis, config.QUEUE_PREFIX);
      redis.disconnect();
      unreachable.disconnect();
    }
  });
});

describe('an instrumented API client', () => {
  const crm = createSuperCrmDouble({ apiKeys: ['crm-key'] });
  let built: ReturnType<typeof build> | undefined;
  afterAll(async () => {
    await crm.close();
    if (built) {
      await deleteKeysUnder(built.redis, built.config.QUEUE_PREFIX);
      built.redis.disconnect();
    }
  });

  it('counts a 4xx as a failed operation but not against the API health; a 5xx counts against both', async () => {
    built = build();
    const { tracker, store, metrics, config } = built;
    const client = instrumentClient(
      createCrmClient(
        { ...config, SUPER_CRM_BASE_URL: await crm.listen(), SUPER_CRM_API_KEY: 'crm-key' },
        createLogger(config, { name: 'test' }),
      ),
      { api: 'supercrm', metrics, tracker, logger: createLogger(config, { name: 'test' }) },
    );
    await client.searchContactsByPhone('+5511987654321');
    await expect(client.getContact('ct_missing')).rejects.toMatchObject({ kind: 'permanent', status: 404 });
    expect((await store.history('api:supercrm')).map((h) => h.state)).toEqual(['ok', 'ok']);
    expect(await store.apiStatus('supercrm')).toMatchObject({ status: 'healthy' });

    crm.injectFault({ type: 'unavailable' });
    await expect(client.getContact('ct_missing')).rejects.toMatchObject({ kind: 'retryable', status: 503 });
    expect((await store.history('api:supercrm'))[0]).toMatchObject({ state: 'error' });
    expect(await store.apiStatus('supercrm')).toMatchObject({ status: 'down' });

    const failures = (await metrics.operations.get()).values.filter((v) => v.labels.outcome === 'failure');
    expect(failures.map((v) => [v.labels.operation, v.value])).toEqual([['getContact', 2]]);
  });
});
