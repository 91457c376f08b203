import {
  allPhysicalQueues,
  type Config,
  collectStatus,
  createQueue,
  createRedisReadiness,
  type Logger,
  type RedisClient,
} from '@zaprelay/core';
import { createFastify, healthRoutes, metricsRoute } from '@zaprelay/service-kit';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { installAuth } from './auth/auth-routes.js';
import { resolveDashboardAccess } from './auth/dashboard-access.js';
import { sessionSecret } from './auth/session-store.js';
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
 * Bull Board at <base>/admin/queues, the status page at <base>/, its JSON at
 * <base>/api/status.json (base: DASHBOARD_BASE_PATH); only /health/* and
 * /metrics (at the root, for probes) are open. Throws DashboardConfigError
 * when it would have to start without credentials.
 */
export async function buildDashboard(deps: DashboardDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const access = resolveDashboardAccess(config);
  const log = deps.logger.child({ component: 'dashboard' });
  const base = config.DASHBOARD_BASE_PATH;
  const app = createFastify(deps.logger, { trustProxy: config.TRUST_PROXY });

  app.addHook('onSend', async (_request, reply) => {
    // Bull Board's retry and delete buttons must not be clickable through someone else's frame.
    reply.header('x-frame-options', 'DENY');
  });

  const ownQueues = deps.queues === undefined;
  const queues =
    deps.queues ??
    allPhysicalQueues(deps.config).map((name) => createQueue(name, { connection: deps.redis, config: deps.config }));
  if (ownQueues) app.addHook('onClose', async () => void (await Promise.all(queues.map((q) => q.close()))));

  const readiness = createRedisReadiness(deps.redis, deps.logger);
  // Read at start too: a Redis that may lose jobs is logged before the first probe asks.
  void readiness.check();
  await app.register(healthRoutes, { isReady: () => readiness.check() });
  await app.register(metricsRoute, { registry: deps.registry, token: config.METRICS_TOKEN });
  const secret =
    access.kind === 'credentials'
      ? await sessionSecret(deps.redis, config.QUEUE_PREFIX, config.DASHBOARD_SESSION_SECRET)
      : '';

  await app.register(
    async (scope) => {
      if (access.kind === 'credentials') {
        await installAuth(scope, {
          user: access.user,
          password: access.password,
          sessionTtlMs: config.DASHBOARD_SESSION_TTL_SECONDS * 1000,
          lockout: {
            maxFailures: config.DASHBOARD_LOGIN_MAX_FAILURES,
            windowMs: config.DASHBOARD_LOGIN_LOCKOUT_SECONDS * 1000,
          },
          logger: deps.logger,
          redis: deps.redis,
          prefix: config.QUEUE_PREFIX,
          secret,
          basePath: base,
          secureCookie: !config.DASHBOARD_PLAIN_HTTP,
        });
      } else {
        log.warn('dashboard runs without credentials: read-only, open to anyone who reaches its port');
        scope.get('/login', async (_request, reply) => reply.redirect(`${base}/`, 303));
      }
      await registerBullBoard(scope, queues, {
        readOnly: access.readOnly,
        basePath: base,
        // Nobody signed in: people's messages are not for whoever reaches the port.
        hideMessageText: access.kind === 'open-read-only',
      });
      await scope.register(statusRoutes, {
        collect: () => collectStatus({ redis: deps.redis, queues, config }),
        readOnly: access.readOnly,
        canLogOut: access.kind === 'credentials',
      });
    },
    { prefix: base },
  );
  // The page links relatively, so its address must end in a slash.
  if (base) app.get(base, async (_request, reply) => reply.redirect(`${base}/`, 301));
  return app;
}
