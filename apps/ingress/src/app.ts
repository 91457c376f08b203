import {
  type Config,
  createMessageTrace,
  createRedisReadiness,
  eventsShardOf,
  type Logger,
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
import { backfillRoutes } from './routes/backfill-routes.js';
import { evolutionWebhookRoutes } from './routes/evolution-webhooks.js';
import { setupRoutes } from './routes/setup-routes.js';
import { superCrmWebhookRoutes } from './routes/supercrm-webhooks.js';
import { traceRoute } from './routes/trace-route.js';
import { wuzapiWebhookRoutes } from './routes/wuzapi-webhooks.js';
import { setupClients } from './setup-clients.js';

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
  const app = createFastify(deps.logger, {
    bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    jsonSchemas: false,
  });
  const metrics = createIngressMetrics(deps.registry);
  metrics.observe(app);
  registerBodyParsers(app);
  registerErrorHandler(app, { bodyLimitBytes: config.WEBHOOK_BODY_LIMIT_BYTES });
  const readiness = createRedisReadiness(redis, deps.logger);
  // Read at start too: a Redis that may lose jobs is logged before the first probe asks.
  void readiness.check();
  await app.register(healthRoutes, { isReady: () => readiness.check() });
  // INGRESS_METRICS_PORT moves /metrics off the public port (main.ts serves it there).
  if (!config.INGRESS_METRICS_PORT) {
    await app.register(metricsRoute, { registry: deps.registry, token: config.METRICS_TOKEN });
  }
  const trace = createMessageTrace(redis, config.QUEUE_PREFIX, config.WEBHOOK_DEDUPE_TTL_SECONDS);
  const shards = deps.eventsShards ?? [queues[QUEUES.events]];
  const shardByName = new Map(shards.map((q) => [q.name, q]));
  const queueFor = (instance: string) =>
    shardByName.get(eventsShardOf(instance, shards.length)) ?? queues[QUEUES.events];
  const intake = createEventIntake({ queueFor, redis, config, trace });
  const webhookDeps = { config, intake, metrics };
  await app.register(evolutionWebhookRoutes, webhookDeps);
  await app.register(wuzapiWebhookRoutes, webhookDeps);
  await app.register(superCrmWebhookRoutes, webhookDeps);
  const allQueues = [...shards, ...Object.values(queues).filter((q) => q.name !== QUEUES.events)];
  await app.register(apiRoutes, { config, redis, queues, allQueues });
  await app.register(setupRoutes, { config, redis, ...setupClients(config, deps.logger) });
  await app.register(backfillRoutes, { config, queues });
  await app.register(traceRoute, { config, trace });
  return app;
}
