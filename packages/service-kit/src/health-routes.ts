import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export interface HealthRoutesOptions {
  /** True when every dependency the process needs answers (Redis, mostly); a reason says why not. */
  isReady: () => Promise<boolean | { ready: boolean; reason?: string }>;
}

const healthRoutesPlugin: FastifyPluginAsync<HealthRoutesOptions> = async (app, { isReady }) => {
  app.get('/health/live', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { logLevel: 'warn' }, async (_req, reply) => {
    const verdict = await isReady();
    const { ready, reason } = typeof verdict === 'boolean' ? { ready: verdict, reason: undefined } : verdict;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', reason });
  });
};

/** `GET /health/live` (the process runs) and `GET /health/ready` (its dependencies answer). */
export const healthRoutes = fp(healthRoutesPlugin, { name: 'zaprelay-health-routes' });
