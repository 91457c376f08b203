import { createRedisReadiness, type Logger } from '@zaprelay/core';
import { createFastify, healthRoutes, metricsRoute } from '@zaprelay/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';

export interface OpsServerDeps {
  logger: Logger;
  redis: Redis;
  registry: Registry;
}

/** Health and metrics of a worker process, on WORKER_METRICS_PORT. */
export async function buildOpsServer({ logger, redis, registry }: OpsServerDeps): Promise<FastifyInstance> {
  const app = createFastify(logger);
  const readiness = createRedisReadiness(redis, logger);
  // Read at start too: a Redis that may lose jobs is logged before the first probe asks.
  void readiness.check();
  await app.register(healthRoutes, { isReady: () => readiness.check() });
  await app.register(metricsRoute, { registry });
  return app;
}
