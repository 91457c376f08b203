import {
  type Config,
  eventsShardOf,
  type Logger,
  pingRedis,
  QUEUES,
  type QueueName,
  type RedisClient,
} from '@zaprelay/core';
import { createFastify, healthRoutes, metricsRoute } from '@zaprelay/service-kit';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { createEventIntake } from './enqueue/event-intake.js';
import { registerBodyParsers } from './http/body-parsers.js';
import { registerErrorHandler } from './http/error-handler.js';
import { createIngressMetrics } from './http/ingress-metrics.js';
import { apiRoutes } from './routes/api-routes.js';
import { evolutionWebhookRoutes } from './routes/evolution-webhooks.js';
import { superCrmWebhookRoutes } from './routes/supercrm-webhooks.js';
import { wuzapiWebhookRoutes } from './routes/wuzapi-webhooks.js';

export interface IngressDeps {
  config: Config;
  logger: Logger;
  /** Fail-fast connection (role `producer`). */
  redis: RedisClient;
  /** Every queue of the system: webhooks go to events, the API to outbound and contact-sync, status reads all. */
  queues: Record<QueueName, Queue>;
  /** The events shards (QUEUE_SHARDS), shard 0 first; default the one events queue. */
  eventsShards?: Queue[];
  registry: Registry;
}

/**
 * The ingress as a Fastify app, without listening: main.ts listens, tests
 * inject. It authenticates, validates, derives the job id and enqueues;
 * everything else happens in the workers.
 */
export async function buildApp(deps: IngressDeps): Promise<FastifyInstance> {
  const { config, redis, queues } = deps;
  const app = createFastify(deps.logger, { bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES });
  const metrics = createIngressMetrics(deps.registry);
  metrics.observe(app);
  registerBodyParsers(app);
  registerErrorHandler(app);
  await app.register(healthRoutes, { isReady: () => pingRedis(redis) });
  await app.register(metricsRoute, { registry: deps.registry });
  const shards = deps.eventsShards ?? [queues[QUEUES.events]];
  const shardByName = new Map(shards.map((q) => [q.name, q]));
  const queueFor = (instance: string) =>
    shardByName.get(eventsShardOf(instance, shards.length)) ?? queues[QUEUES.events];
  const intake = createEventIntake({ queueFor, redis, config });
  const webhookDeps = { config, intake, metrics };
  await app.register(evolutionWebhookRoutes, webhookDeps);
  await app.register(wuzapiWebhookRoutes, webhookDeps);
  await app.register(superCrmWebhookRoutes, webhookDeps);
  const allQueues = [...shards, ...Object.values(queues).filter((q) => q.name !== QUEUES.events)];
  await app.register(apiRoutes, { config, redis, queues, allQueues });
  return app;
}
