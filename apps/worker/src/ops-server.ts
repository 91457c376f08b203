import { type Config, createRedisReadiness, type Logger, QUEUES, type RedisClient } from '@zaprelay/core';
import { createFastify, healthRoutes, metricsRoute } from '@zaprelay/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface OpsServerDeps {
  logger: Logger;
  redis: RedisClient;
  registry: Registry;
  config?: Pick<Config, 'TRUST_PROXY' | 'METRICS_TOKEN' | 'SUPER_CRM_API_KEY'> & Partial<Pick<Config, 'WORKER_QUEUES'>>;
}

/**
 * Health and metrics of a worker process, on WORKER_METRICS_PORT. A worker
 * that serves the CRM queue is not ready without SUPER_CRM_API_KEY: it cannot
 * do the work it exists for. Other roles (WORKER_QUEUES) never call the CRM.
 */
export async function buildOpsServer({ logger, redis, registry, config }: OpsServerDeps): Promise<FastifyInstance> {
  const app = createFastify(logger, { trustProxy: config?.TRUST_PROXY ?? false, jsonSchemas: false });
  const servesCrm = config?.WORKER_QUEUES?.includes(QUEUES.crm) ?? true;
  const crmKey = config === undefined || !servesCrm || config.SUPER_CRM_API_KEY !== undefined;
  const readiness = createRedisReadiness(redis, logger);
  // Read at start too: a Redis that may lose jobs is logged before the first probe asks.
  void readiness.check();
  await app.register(healthRoutes, {
    isReady: async () => (crmKey ? readiness.check() : { ready: false, reason: 'SUPER_CRM_API_KEY is not set' }),
  });
  await app.register(metricsRoute, { registry, token: config?.METRICS_TOKEN });
  return app;
}
