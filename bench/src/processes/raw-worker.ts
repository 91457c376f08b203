import { createRedisConnection, loadConfig, QUEUES } from '@zaprelay/core';
import { Worker } from 'bullmq';

/**
 * The ceiling the workers are compared with: a bare BullMQ Worker with the
 * same concurrency, processing no-op jobs (optionally under a limiter). Prints `ready`, then, once it has
 * completed `total` jobs, the time of the last completion.
 */
const { total, limiter } = JSON.parse(process.argv[2] ?? '{}') as {
  total: number;
  /** The CRM queue's limiter, to see what BullMQ's rate limiting alone costs. */
  limiter?: { max: number; duration: number };
};
const config = loadConfig();
const connection = createRedisConnection(config.REDIS_URL, { role: 'worker' });
let completed = 0;
const worker = new Worker(QUEUES.events, async () => {}, {
  connection,
  prefix: config.QUEUE_PREFIX,
  concurrency: config.WORKER_CONCURRENCY,
  ...(limiter ? { limiter } : {}),
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
await new Promise<void>((done) => {
  worker.on('completed', () => {
    completed++;
    if (completed === total) done();
  });
});
const lastCompletedAt = Date.now();
await worker.close();
connection.disconnect();
process.stdout.write(`${JSON.stringify({ lastCompletedAt, completed })}\n`);
