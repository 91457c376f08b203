import { createQueue, createRedisConnection, loadConfig, QUEUES } from '@zaprelay/core';
import { evolutionTextWebhook } from '../load/webhook-body.js';

/**
 * The ceiling the ingress is compared with: BullMQ Queue.add on the same
 * Redis, 50 adds in flight (like 50 HTTP connections), same job size.
 */
const { concurrency, durationSeconds } = JSON.parse(process.argv[2] ?? '{}') as {
  concurrency: number;
  durationSeconds: number;
};
const config = loadConfig();
const connection = createRedisConnection(config.REDIS_URL, { role: 'producer' });
const queue = createQueue(QUEUES.events, { connection, config });
await queue.waitUntilReady();

const latencies: number[] = [];
let n = 0;
const deadline = performance.now() + durationSeconds * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const id = `raw-${process.pid}-${n++}`;
      await queue.add(
        'messages.upsert',
        {
          source: 'evolution',
          event: 'messages.upsert',
          instance: 'bench',
          receivedAt: Date.now(),
          payload: evolutionTextWebhook(id),
        },
        { jobId: id },
      );
      latencies.push(performance.now() - started);
    }
  }),
);
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({ requestsPerSecond: latencies.length / durationSeconds, total: latencies.length, p50Ms: at(0.5), p99Ms: at(0.99) })}\n`,
);
await queue.close();
connection.disconnect();
