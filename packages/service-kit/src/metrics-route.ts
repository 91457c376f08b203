import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Registry } from 'prom-client';

export interface MetricsRouteOptions {
  registry: Registry;
}

const metricsRoutePlugin: FastifyPluginAsync<MetricsRouteOptions> = async (app, { registry }) => {
  app.get('/metrics', { logLevel: 'warn' }, async (_req, reply) => {
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(body);
  });
};

/** `GET /metrics` in Prometheus text format. */
export const metricsRoute = fp(metricsRoutePlugin, { name: 'zaprelay-metrics-route' });
