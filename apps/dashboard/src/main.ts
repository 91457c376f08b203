import { createLogger, createMetricsRegistry, createRedisConnection, loadConfigOrExit } from '@zaprelay/core';
import { installShutdown } from '@zaprelay/service-kit';
import { buildDashboard, DashboardConfigError } from './app.js';

const config = loadConfigOrExit();
const logger = createLogger(config, { name: 'dashboard' });
const redis = createRedisConnection(config, { role: 'worker', name: 'zaprelay-dashboard' });
redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
const registry = createMetricsRegistry('dashboard');

let app: Awaited<ReturnType<typeof buildDashboard>>;
try {
  app = await buildDashboard({ config, logger, redis, registry });
} catch (err) {
  if (!(err instanceof DashboardConfigError)) throw err;
  process.stderr.write(`zaprelay: ${err.message}\n`);
  redis.disconnect();
  process.exit(1);
}

installShutdown(
  logger,
  [
    { name: 'http', run: () => app.close() },
    { name: 'redis', run: () => redis.quit() },
  ],
  10_000,
);

await app.listen({ port: config.DASHBOARD_PORT, host: config.HOST });
