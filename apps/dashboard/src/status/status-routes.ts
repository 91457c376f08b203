import { randomBytes } from 'node:crypto';
import type { DashboardStatus } from '@zaprelay/core';
import type { FastifyInstance } from 'fastify';
import { renderStatusPage, renderStatusSections, statusPageCsp } from './render-status.js';

export interface StatusRoutesOptions {
  collect: () => Promise<DashboardStatus>;
  readOnly: boolean;
  canLogOut: boolean;
  /** Answer 503 rather than hang when Redis does not answer. */
  timeoutMs?: number;
}

class StatusTimeoutError extends Error {}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StatusTimeoutError(`status not collected within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** GET / (the page), GET /status/sections (what the page refreshes), GET /api/status.json. */
export async function statusRoutes(app: FastifyInstance, options: StatusRoutesOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const collect = () => withTimeout(options.collect(), timeoutMs);

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof StatusTimeoutError) {
      request.log.warn({ reqId: request.id }, 'status collection timed out (Redis slow or down)');
      return reply.code(503).send({ error: 'Service Unavailable', message: 'Redis did not answer in time' });
    }
    request.log.error({ err, reqId: request.id }, 'status collection failed');
    return reply.code(503).send({ error: 'Service Unavailable', message: 'could not read the status from Redis' });
  });

  // Only `<base>/`: the page links relatively (DASHBOARD_BASE_PATH), so `<base>` redirects here.
  app.get('/', { prefixTrailingSlash: 'slash' }, async (_request, reply) => {
    const nonce = randomBytes(16).toString('base64');
    const page = renderStatusPage(await collect(), { ...options, nonce });
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', statusPageCsp(nonce))
      .header('cache-control', 'no-store')
      .send(page);
  });

  app.get('/status/sections', async (_request, reply) => {
    const sections = renderStatusSections(await collect());
    return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(sections);
  });

  app.get('/api/status.json', async (_request, reply) => {
    return reply.header('cache-control', 'no-store').send(await collect());
  });
}
