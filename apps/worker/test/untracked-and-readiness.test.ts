import {
  createLogger,
  createMetricsRegistry,
  createRedisConnection,
  monitorKeys,
  QUEUES,
  type WebhookEventJob,
} from '@zaprelay/core';
import { evolutionConnection, waitFor } from '@zaprelay/test-kit';
import { testConfig } from '@zaprelay/test-kit/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpsServer } from '../src/ops-server.js';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

const connectionEvent = (instance: string, state: 'open' | 'close'): WebhookEventJob => ({
  source: 'evolution',
  event: 'connection.update',
  instance,
  receivedAt: Date.now(),
  payload: evolutionConnection({ instance, state }),
});

describe('instances a webhook names', () => {
  let harness: RuntimeHarness;
  beforeAll(async () => {
    harness = await createRuntimeHarness({ EVOLUTION_MONITORING_ENABLED: 'false', EVOLUTION_INSTANCES: 'Sales-01' });
  });
  afterAll(() => harness.close());

  it('tracks configured instances only: an unknown name leaves nothing behind in Redis', async () => {
    const { runtime, connection } = await harness.startWorker();
    const keys = monitorKeys(harness.config.QUEUE_PREFIX);
    const events = runtime.queues[QUEUES.events];
    const jobs = [
      await events.add('e', connectionEvent('random-0001', 'close')),
      await events.add('e', connectionEvent('sales-01', 'close')),
    ];
    await waitFor('both handled', async () =>
      (await Promise.all(jobs.map((j) => events.getJobState(String(j.id))))).every((s) => s === 'completed'),
    );
    expect(await connection.hkeys(keys.instances)).toEqual(['sales-01']);
    expect(await connection.exists(keys.history('instance:random-0001'))).toBe(0);
  });
});

describe('worker readiness', () => {
  it('is not ready without SUPER_CRM_API_KEY when it serves the CRM queue, ready with it or in another role', async () => {
    const config = testConfig({});
    const redis = createRedisConnection(config.REDIS_URL, { role: 'worker' });
    const logger = createLogger(config, { name: 'ops-test' });
    const registry = createMetricsRegistry('ops-test', { defaults: false });
    try {
      const without = await buildOpsServer({
        logger,
        redis,
        registry,
        config: { ...config, SUPER_CRM_API_KEY: undefined },
      });
      expect((await without.inject({ url: '/health/ready' })).statusCode).toBe(503);
      expect((await without.inject({ url: '/health/live' })).statusCode).toBe(200);
      await without.close();
      const withKey = await buildOpsServer({ logger, redis, registry, config: { ...config, SUPER_CRM_API_KEY: 'k' } });
      expect((await withKey.inject({ url: '/health/ready' })).statusCode).toBe(200);
      await withKey.close();
      // A worker role that never calls the CRM (WORKER_QUEUES without crm) needs no key.
      const eventsOnly = await buildOpsServer({
        logger,
        redis,
        registry,
        config: { ...config, SUPER_CRM_API_KEY: undefined, WORKER_QUEUES: [QUEUES.events, QUEUES.outbound] },
      });
      expect((await eventsOnly.inject({ url: '/health/ready' })).statusCode).toBe(200);
      await eventsOnly.close();
    } finally {
      redis.disconnect();
    }
  });

  it("protects the worker's /metrics with METRICS_TOKEN, as on the ingress and the dashboard", async () => {
    const config = testConfig({ METRICS_TOKEN: 'metrics-token-0123456789', SUPER_CRM_API_KEY: 'k' });
    const redis = createRedisConnection(config.REDIS_URL, { role: 'worker' });
    const registry = createMetricsRegistry('ops-metrics-test', { defaults: false });
    const ops = await buildOpsServer({ logger: createLogger(config, { name: 'ops-test' }), redis, registry, config });
    try {
      const refused = await ops.inject({ url: '/metrics' });
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer');
      const wrong = await ops.inject({ url: '/metrics', headers: { authorization: 'Bearer not-the-token-0123' } });
      expect(wrong.statusCode).toBe(401);
      const ok = await ops.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789' } });
      expect(ok.statusCode).toBe(200);
      // Probes stay open: a kubelet has no token.
      expect((await ops.inject({ url: '/health/live' })).statusCode).toBe(200);
    } finally {
      await ops.close();
      redis.disconnect();
    }
  });
});
