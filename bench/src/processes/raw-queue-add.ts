import { createQueue, createRedisConnection, loadConfig, QUEUES } from '@zaprelay/core';
import { redisCpuSeconds, redisReads } from '../infra/cpu-time.js';
import { storedEventJob } from '../load/webhook-body.js';

/**
 * The ceiling the ingress is compared with: BullMQ Queue.add on the same
 * Redis, 50 adds in flight (like 50 HTTP connections), same job, same options
 * (the events queue's defaults, a jobId). A warm-up first, like the HTTP runs.
 */
const { concurrency, durationSeconds, warmupSeconds } = JSON.parse(process.argv[2] ?? '{}') as {
  concurrency: number;
  durationSeconds: number;
  warmupSeconds: number;
};
const config = loadConfig();
const connection = createRedisConnection(config.REDIS_URL, { role: 'producer' });
const queue = createQueue(QUEUES.events, { connection, config });
await queue.waitUntilReady();

let n = 0;
async function addFor(seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        const id = `raw-${process.pid}-${n++}`;
        await queue.add('messages.upsert', storedEventJob(id), { jobId: `evolution-${id}` });
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}

await addFor(warmupSeconds);
const [cpu0, redis0, reads0] = [process.cpuUsage(), await redisCpuSeconds(connection), await redisReads(connection)];
const latencies = await addFor(durationSeconds);
const [cpu1, redis1, reads1] = [
  process.cpuUsage(cpu0),
  await redisCpuSeconds(connection),
  await redisReads(connection),
];
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: latencies.length / durationSeconds,
    total: latencies.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    cpuUsPerOp: (cpu1.user + cpu1.system) / latencies.length,
    redisCpuUsPerOp: ((redis1 - redis0) * 1e6) / latencies.length,
    redisReadsPerOp: (reads1 - reads0) / latencies.length,
  })}\n`,
);
await queue.close();
connection.disconnect();
