import { type Config, createRedisReadiness, type Logger, QUEUES, type QueueName } from '@zaprelay/core';
import { createFastify, healthRoutes, metricsRoute } from '@zaprelay/service-kit';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
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
  redis: Redis;
  /** Every queue of the system: webhooks go to events, the API to outbound and contact-sync, status reads all. */
  queues: Record<QueueName, Queue>;
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
  registerErrorHandler(app, { bodyLimitBytes: config.WEBHOOK_BODY_LIMIT_BYTES });
  const readiness = createRedisReadiness(redis, deps.logger);
  // Read at start too: a Redis that may lose jobs is logged before the first probe asks.
  void readiness.check();
  await app.register(healthRoutes, { isReady: () => readiness.check() });
  await app.register(metricsRoute, { registry: deps.registry });
  const intake = createEventIntake({ queue: queues[QUEUES.events], redis, config });
  const webhookDeps = { config, intake, metrics };
  await app.register(evolutionWebhookRoutes, webhookDeps);
  await app.register(wuzapiWebhookRoutes, webhookDeps);
  await app.register(superCrmWebhookRoutes, webhookDeps);
  await app.register(apiRoutes, { config, redis, queues });
  return app;
}
