import { createLogger, createMetricsRegistry, createRedisConnection, loadConfigOrExit } from '@zaprelay/core';
import { installShutdown } from '@zaprelay/service-kit';
import { buildOpsServer } from './ops-server.js';
import { startWorkerRuntime } from './runtime.js';

const config = loadConfigOrExit();
const logger = createLogger(config, { name: 'worker' });
const connection = createRedisConnection(config, { role: 'worker', name: 'zaprelay-worker' });
connection.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
const registry = createMetricsRegistry('worker');
const runtime = await startWorkerRuntime({ config, logger, connection, registry });
const ops = await buildOpsServer({ logger, redis: connection, registry });

installShutdown(
  logger,
  [
    // Active jobs finish first (bounded by the timeout); a job cut off is recovered as stalled by another worker.
    { name: 'workers', run: () => runtime.close() },
    { name: 'ops-server', run: () => ops.close() },
    { name: 'redis', run: () => connection.quit() },
  ],
  config.WORKER_SHUTDOWN_TIMEOUT_MS,
);

await ops.listen({ port: config.WORKER_METRICS_PORT, host: config.HOST });
