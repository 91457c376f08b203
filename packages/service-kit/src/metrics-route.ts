import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Registry } from 'prom-client';

export interface MetricsRouteOptions {
  registry: Registry;
  /** METRICS_TOKEN: when set, scrapes need `Authorization: Bearer <token>`. */
  token?: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

const metricsRoutePlugin: FastifyPluginAsync<MetricsRouteOptions> = async (app, { registry, token }) => {
  app.get('/metrics', { logLevel: 'warn' }, async (req, reply) => {
    if (token !== undefined) {
      const offered = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      if (!timingSafeEqual(digest(offered), digest(token))) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
      }
    }
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(body);
  });
};

/** `GET /metrics` in Prometheus text format. */
export const metricsRoute = fp(metricsRoutePlugin, { name: 'zaprelay-metrics-route' });
