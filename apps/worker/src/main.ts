import { connectRedis, createLogger, createMetricsRegistry, loadConfigOrExit, QUEUES } from '@zaprelay/core';
import { installShutdown } from '@zaprelay/service-kit';
import { buildOpsServer } from './ops-server.js';
import { startWorkerRuntime } from './runtime.js';

const config = loadConfigOrExit();
const logger = createLogger(config, { name: 'worker' });
const connection = connectRedis(config, { role: 'worker', name: 'zaprelay-worker' });
connection.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
// The events stage's own connection, auto-pipelined: the commands of all its jobs in flight written in one turn
// of the event loop leave in one write. Not the others': it makes each round trip wait for the pipeline in
// flight, and the CRM stage, one round trip after another per job, would lose more than it gains.
const eventsConnection = config.WORKER_QUEUES.includes(QUEUES.events)
  ? connectRedis(config, { role: 'worker', name: 'zaprelay-worker-events', autoPipelining: true })
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
