import {
  connectRedis,
  createLogger,
  createMetricsRegistry,
  createSystemQueues,
  loadConfigOrExit,
} from '@zaprelay/core';
import { createFastify, installShutdown, metricsRoute } from '@zaprelay/service-kit';
import { buildApp } from './app.js';
import { authWarnings } from './auth/webhook-auth.js';

const config = loadConfigOrExit();
const logger = createLogger(config, { name: 'ingress' });
for (const warning of authWarnings(config)) logger.warn(warning);
// Writes held to the end of each turn of the event loop: the adds of every webhook read in one turn, and their
// follow-up writes, leave in one write each (core's redis-writes-per-turn.ts). Not ioredis' auto-pipelining: it
// batches one tick (one webhook) at a time and copies every script BullMQ defined (64) into each pipeline.
const redis = connectRedis(config, { role: 'producer', name: 'zaprelay-ingress', writesPerTurn: true });
redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
const system = createSystemQueues({ connection: redis, config });
const registry = createMetricsRegistry('ingress');
const app = await buildApp({
  config,
  logger,
  redis,
  queues: system.byName,
  eventsShards: system.eventsShards,
  registry,
});
// /metrics off the public port when INGRESS_METRICS_PORT is set (bind it to a private interface with HOST).
const metricsApp = config.INGRESS_METRICS_PORT
  ? createFastify(logger, { trustProxy: config.TRUST_PROXY, jsonSchemas: false })
  : undefined;
if (metricsApp) await metricsApp.register(metricsRoute, { registry, token: config.METRICS_TOKEN });

installShutdown(
  logger,
  [
    // Stops accepting, lets requests in flight finish (each answers only after Redis confirmed its job).
    { name: 'http', run: () => app.close() },
    { name: 'metrics-http', run: async () => metricsApp?.close() },
    { name: 'queues', run: () => system.close() },
    { name: 'redis', run: () => redis.quit() },
  ],
  config.WORKER_SHUTDOWN_TIMEOUT_MS + 5000,
);

await app.listen({ port: config.PORT, host: config.HOST });
if (metricsApp) await metricsApp.listen({ port: config.INGRESS_METRICS_PORT, host: config.HOST });
