import type { RedisClient, WebhookEventJob } from '@zaprelay/core';
import {
  type Config,
  createLogger,
  createMetricsRegistry,
  createRedisConnection,
  type Logger,
  loadConfig,
} from '@zaprelay/core';
import {
  createEvolutionDouble,
  createSuperCrmDouble,
  deleteKeysUnder,
  type EvolutionDouble,
  type SuperCrmDouble,
} from '@zaprelay/test-kit';
import { testRedisUrl, uniquePrefix } from '@zaprelay/test-kit/vitest';
import type { Registry } from 'prom-client';
import { startWorkerRuntime, type WorkerRuntime } from '../src/runtime.js';

export interface RuntimeHarness {
  config: Config;
  crm: SuperCrmDouble;
  evolution: EvolutionDouble;
  /** Starts one more worker runtime (as another process would) on its own connection. */
  startWorker(logger?: Logger): Promise<{ runtime: WorkerRuntime; connection: RedisClient; registry: Registry }>;
  close(): Promise<void>;
}

/** The whole worker runtime, in-process, against the real Redis and the CRM and Evolution doubles over HTTP. */
export async function createRuntimeHarness(
  env: Record<string, string> = {},
  crmLimit = { max: 100, windowMs: 60_000 },
) {
  const crm = createSuperCrmDouble({ apiKeys: ['crm-key'], rateLimit: crmLimit });
  const evolution = createEvolutionDouble({ apiKey: 'evo-key' });
  const config = loadConfig({
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: uniquePrefix('runtime'),
    LOG_LEVEL: 'silent',
    SUPER_CRM_BASE_URL: await crm.listen(),
    SUPER_CRM_API_KEY: 'crm-key',
    SUPER_CRM_RATE_LIMIT_MAX: String(crmLimit.max),
    SUPER_CRM_RATE_LIMIT_DURATION_MS: String(crmLimit.windowMs),
    EVOLUTION_API_URL: await evolution.listen(),
    EVOLUTION_API_KEY: 'evo-key',
    // Reconciliation reads the Evolution double's store (and competes with probes for it): only where a test asks.
    RECONCILE_INTERVAL_MS: '0',
    ...env,
  });
  const started: Array<{ runtime: WorkerRuntime; connection: RedisClient }> = [];
  const harness: RuntimeHarness = {
    config,
    crm,
    evolution,
    async startWorker(logger?: Logger) {
      const connection = createRedisConnection(config.REDIS_URL, { role: 'worker' });
      const registry = createMetricsRegistry('worker-test', { defaults: false });
      const runtime = await startWorkerRuntime({
        config,
        logger: logger ?? createLogger(config, { name: 'test' }),
        connection,
        registry,
      });
      started.push({ runtime, connection });
      return { runtime, connection, registry };
    },
    async close() {
      for (const { runtime, connection } of started) {
        await runtime.close();
        for (const q of Object.values(runtime.queues)) await q.obliterate({ force: true }).catch(() => {});
        await deleteKeysUnder(connection, config.QUEUE_PREFIX);
        connection.disconnect();
      }
      started.length = 0;
      await crm.close();
      await evolution.close();
    },
  };
  return harness;
}

/** An Evolution `messages.upsert` webhook of instance `sales-01` as the ingress stores it. */
export const storedEvolutionMessage = (payload: unknown): WebhookEventJob => ({
  source: 'evolution',
  event: 'messages.upsert',
  instance: 'sales-01',
  receivedAt: Date.now(),
  payload,
});
