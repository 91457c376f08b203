import {
  connectRedis,
  createLogger,
  createMetricsRegistry,
  isClusterTarget,
  loadConfigOrExit,
  QUEUES,
} from '@zaprelay/core';
import { installShutdown } from '@zaprelay/service-kit';
import { buildOpsServer } from './ops-server.js';
import { startWorkerRuntime } from './runtime.js';

const config = loadConfigOrExit();
const logger = createLogger(config, { name: 'worker' });
const connection = connectRedis(config, { role: 'worker', name: 'zaprelay-worker' });
connection.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
// The events stage's own connection, its writes held to the end of each turn of the event loop: the commands of
// all its jobs handled in one turn leave in one write (on a cluster, where each node has its own socket, ioredis'
// auto-pipelining batches them per tick instead). The main connection writes at once: the CRM stage makes one
// round trip after another per job, and its send window's reservation should leave as soon as it is asked for.
const eventsConnection = config.WORKER_QUEUES.includes(QUEUES.events)
  ? connectRedis(config, {
      role: 'worker',
      name: 'zaprelay-worker-events',
      writesPerTurn: true,
      autoPipelining: isClusterTarget(config),
    })
  : undefined;
eventsConnection?.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
const registry = createMetricsRegistry('worker');
const runtime = await startWorkerRuntime({ config, logger, connection, eventsConnection, registry });
const ops = await buildOpsServer({ logger, redis: connection, registry, config });

installShutdown(
  logger,
  [
    // Active jobs finish first (bounded by the timeout); a job cut off is recovered as stalled by another worker.
    { name: 'workers', run: () => runtime.close() },
    { name: 'ops-server', run: () => ops.close() },
    { name: 'redis', run: async () => void (await Promise.all([connection.quit(), eventsConnection?.quit()])) },
  ],
  config.WORKER_SHUTDOWN_TIMEOUT_MS,
);

await ops.listen({ port: config.WORKER_METRICS_PORT, host: config.HOST });
