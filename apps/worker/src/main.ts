import { connectRedis, createLogger, createMetricsRegistry, loadConfigOrExit } from '@zaprelay/core';
import { installShutdown } from '@zaprelay/service-kit';
import { buildOpsServer } from './ops-server.js';
import { startWorkerRuntime } from './runtime.js';

const config = loadConfigOrExit();
const logger = createLogger(config, { name: 'worker' });
// Auto-pipelined: the commands of every job in flight that are written in one turn of the event loop leave in
// one write (a job's own steps keep their order: one connection, one pipeline at a time).
const connection = connectRedis(config, { role: 'worker', name: 'zaprelay-worker', autoPipelining: true });
connection.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
const registry = createMetricsRegistry('worker');
const runtime = await startWorkerRuntime({ config, logger, connection, registry });
const ops = await buildOpsServer({ logger, redis: connection, registry, config });

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
