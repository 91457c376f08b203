import type { RedisClient } from '@zaprelay/core';
import {
  ALL_QUEUES,
  type Config,
  connectRedis,
  createLogger,
  createMetricsRegistry,
  createQueue,
  type Logger,
  type QueueName,
  type WebhookEventJob,
} from '@zaprelay/core';
import { deleteKeysUnder } from '@zaprelay/test-kit';
import { testConfig } from '@zaprelay/test-kit/vitest';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';

export const SECRETS = {
  EVOLUTION_WEBHOOK_TOKEN: 'evo-token-123',
  EVOLUTION_WEBHOOK_JWT_KEY: 'evo-jwt-key',
  WUZAPI_HMAC_KEY: 'wuz-hmac-key',
  WUZAPI_WEBHOOK_TOKEN: 'wuz-token-123',
  SUPER_CRM_WEBHOOK_SECRET: 'crm-secret',
  API_TOKEN: 'api-token-0123456789',
};

export interface Ingress {
  app: FastifyInstance;
  config: Config;
  redis: RedisClient;
  queues: Record<QueueName, Queue>;
  /** The event jobs the ingress stored, oldest first. */
  storedEvents(): Promise<WebhookEventJob[]>;
  close(): Promise<void>;
}

/** The real ingress app on the run's real Redis, under a private queue prefix. */
export async function buildIngress(
  overrides: Record<string, string> = {},
  redisUrl?: string,
  logger?: Logger,
): Promise<Ingress> {
  const config = testConfig({ ...SECRETS, ...(redisUrl ? { REDIS_URL: redisUrl } : {}), ...overrides });
  const redis = connectRedis(config, { role: 'producer' });
  redis.on('error', () => {});
  const queues = Object.fromEntries(
    ALL_QUEUES.map((n) => [n, createQueue(n, { connection: redis, config })]),
  ) as Record<QueueName, Queue>;
  await queues.events.waitUntilReady();
  const app = await buildApp({
    config,
    logger: logger ?? createLogger(config, { name: 'ingress-test' }),
    redis,
    queues,
    registry: createMetricsRegistry('ingress-test', { defaults: false }),
  });
  return {
    app,
    config,
    redis,
    queues,
    async storedEvents() {
      const jobs = await queues.events.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
      return jobs.sort((a, b) => a.timestamp - b.timestamp).map((j) => j.data as WebhookEventJob);
    },
    async close() {
      await app.close();
      for (const q of Object.values(queues)) {
        await q.obliterate({ force: true }).catch(() => {});
        await q.close();
      }
      await deleteKeysUnder(redis, config.QUEUE_PREFIX).catch(() => {});
      redis.disconnect();
    },
  };
}

export const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  headers: { 'content-type': 'application/json', ...headers },
  payload: typeof body === 'string' ? body : JSON.stringify(body),
});

export const evolutionAuth = { 'x-webhook-token': SECRETS.EVOLUTION_WEBHOOK_TOKEN };
