import {
  allPhysicalQueues,
  type Config,
  collectStatus,
  createQueue,
  type Logger,
  pingRedis,
  type RedisClient,
} from '@zaprelay/core';
import { createFastify, healthRoutes, metricsRoute } from '@zaprelay/service-kit';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { installAuth } from './auth/auth-routes.js';
import { resolveDashboardAccess } from './auth/dashboard-access.js';
import { registerBullBoard } from './bull-board.js';
import { statusRoutes } from './status/status-routes.js';

export { DashboardConfigError } from './auth/dashboard-access.js';

export interface DashboardDeps {
  config: Config;
  logger: Logger;
  redis: RedisClient;
  registry: Registry;
  /** Defaults to every queue of the system (events shards included) on `redis`; closed with the app when created here. */
  queues?: Queue[];
}

/**
 * Bull Board at /admin/queues, the status page at /, its JSON at
 * /api/status.json; only /health/* and /metrics are open. Throws
 * DashboardConfigError when it would have to start without credentials.
 */
export async function buildDashboard(deps: DashboardDeps): Promise<FastifyInstance> {
  const access = resolveDashboardAccess(deps.config);
  const log = deps.logger.child({ component: 'dashboard' });
  const app = createFastify(deps.logger);

  app.addHook('onSend', async (_request, reply) => {
    // Bull Board's retry and delete buttons must not be clickable through someone else's frame.
    reply.header('x-frame-options', 'DENY');
  });

  if (access.kind === 'credentials') {
    await installAuth(app, {
      user: access.user,
      password: access.password,
      sessionTtlMs: deps.config.DASHBOARD_SESSION_TTL_SECONDS * 1000,
      lockout: {
        maxFailures: deps.config.DASHBOARD_LOGIN_MAX_FAILURES,
        windowMs: deps.config.DASHBOARD_LOGIN_LOCKOUT_SECONDS * 1000,
      },
      logger: deps.logger,
    });
  } else {
    log.warn('dashboard runs without credentials: read-only, open to anyone who reaches its port');
    app.get('/login', async (_request, reply) => reply.redirect('/', 303));
  }

  const ownQueues = deps.queues === undefined;
  const queues =
    deps.queues ??
    allPhysicalQueues(deps.config).map((name) => createQueue(name, { connection: deps.redis, config: deps.config }));
  if (ownQueues) app.addHook('onClose', async () => void (await Promise.all(queues.map((q) => q.close()))));

  await app.register(healthRoutes, { isReady: () => pingRedis(deps.redis) });
  await app.register(metricsRoute, { registry: deps.registry });
  await registerBullBoard(app, queues, { readOnly: access.readOnly });
  await app.register(statusRoutes, {
    collect: () => collectStatus({ redis: deps.redis, queues, config: deps.config }),
    readOnly: access.readOnly,
    canLogOut: access.kind === 'credentials',
  });
  return app;
}
