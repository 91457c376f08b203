import { type Logger, pingRedis, type RedisClient } from '@zaprelay/core';
import { createFastify, healthRoutes, metricsRoute } from '@zaprelay/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface OpsServerDeps {
  logger: Logger;
  redis: RedisClient;
  registry: Registry;
}

/** Health and metrics of a worker process, on WORKER_METRICS_PORT. */
export async function buildOpsServer({ logger, redis, registry }: OpsServerDeps): Promise<FastifyInstance> {
  const app = createFastify(logger);
  await app.register(healthRoutes, { isReady: () => pingRedis(redis) });
  await app.register(metricsRoute, { registry });
  return app;
}
