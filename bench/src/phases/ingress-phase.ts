import { setTimeout as sleep } from 'node:timers/promises';
import { QUEUES, REDIS_MEMORY_SETTINGS } from '@zaprelay/core';
import { deleteKeysUnder, freePort } from '@zaprelay/test-kit';
import { startBenchProcess } from '../infra/bench-process.js';
import { measureCpu } from '../infra/cpu-time.js';
import { memoryByKind, usedMemory } from '../infra/redis-memory.js';
import { sampleRss } from '../infra/rss-sampler.js';
import { type LoadResult, runLoad } from '../load/run-load.js';
import { type BenchContext, benchPrefix, startIngress } from './context.js';

/** CPU microseconds per request (or add) of the process measured and of redis-server. */
interface CpuPerOp {
  cpuUsPerOp: number;
  redisCpuUsPerOp: number;
}

export interface RawAddResult extends CpuPerOp {
  requestsPerSecond: number;
  total: number;
  p50Ms: number;
  p99Ms: number;
}

export interface RedisPerEvent {
  events: number;
  usedMemoryDelta: number;
  bytesPerEvent: number;
  /** MEMORY USAGE per kind of key, per event. */
  breakdown: { kind: string; keys: number; bytesPerEvent: number }[];
}

export interface IngressResults {
  bare: LoadResult & CpuPerOp;
  /** The ceiling of issue 14: a Fastify route that parses JSON and does one Queue.add with a jobId, nothing else. */
  naive: LoadResult & CpuPerOp;
  rawAdd: RawAddResult;
  ingress: LoadResult & CpuPerOp;
  rss: { peakBytes: number; lastBytes: number; samples: number };
  redis: RedisPerEvent;
  /** The same, on a Redis left at its defaults (without REDIS_MEMORY_SETTINGS): a shorter run of the same load. */
  redisDefaults: RedisPerEvent;
}

function assertAllAccepted(what: string, r: LoadResult) {
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(`${what}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  }
}

const keyKind = (prefix: string) => (key: string) => {
  const rest = key.slice(prefix.length + 1);
  if (rest.startsWith(`${QUEUES.events}:de:`)) return 'dedupe key';
  if (rest === `${QUEUES.events}:events`) return 'event stream (capped)';
  if (rest === `${QUEUES.events}:wait`) return 'wait list';
  // Job ids hold a dot (`<tag>.<n>`); the queue's own keys do not.
  if (rest.startsWith(`${QUEUES.events}:`) && rest.includes('.')) return 'job hash';
  if (rest.startsWith('trace:')) return 'trace list';
  return 'other';
};

/**
 * Redis' bytes per event the ingress queued under `prefix` since `memoryBefore`, once it has stopped; checks
 * that every webhook counted as accepted is queued.
 */
async function redisPerEvent(
  ctx: BenchContext,
  prefix: string,
  memoryBefore: number,
  counted: number,
): Promise<RedisPerEvent> {
  const memoryAfter = await usedMemory(ctx.redis);
  const events = await ctx.redis.llen(`${prefix}:${QUEUES.events}:wait`);
  // autocannon stops counting at the deadline: the requests then in flight (one per connection) were sent but not counted.
  const inFlight = 2 * ctx.settings.connections;
  if (events < counted || events > counted + inFlight) {
    throw new Error(
      `ingress answered 202 to ${counted} webhooks (+ up to ${inFlight} in flight) but ${events} are queued`,
    );
  }
  const byKind = await memoryByKind(ctx.redis, prefix, keyKind(prefix));
  await deleteKeysUnder(ctx.redis, prefix);
  return {
    events,
    usedMemoryDelta: memoryAfter - memoryBefore,
    bytesPerEvent: (memoryAfter - memoryBefore) / events,
    breakdown: [...byKind].map(([kind, { keys, bytes }]) => ({ kind, keys, bytesPerEvent: bytes / events })),
  };
}

/** Redis per event with Redis' own defaults for REDIS_MEMORY_SETTINGS (the bench's private Redis: set back after). */
async function redisPerEventWithDefaults(ctx: BenchContext): Promise<RedisPerEvent> {
  const defaults: Record<keyof typeof REDIS_MEMORY_SETTINGS, string> = { 'hash-max-listpack-value': '64' };
  const seconds = ctx.settings.warmupSeconds;
  ctx.log(`ingress: Redis per event with Redis' defaults (${JSON.stringify(defaults)}), ${seconds} s`);
  const set = async (values: Record<string, string>) => {
    for (const [name, value] of Object.entries(values)) await ctx.redis.config('SET', name, value);
  };
  await set(defaults);
  try {
    const prefix = benchPrefix('ingress-defaults');
    const proc = await startIngress(ctx, prefix);
    await sleep(300);
    const before = await usedMemory(ctx.redis);
    const run = await runLoad(ctx.children, {
      url: proc.url,
      connections: ctx.settings.connections,
      durationSeconds: seconds,
    });
    await proc.stop();
    await sleep(300);
    assertAllAccepted('ingress (Redis defaults)', run);
    return await redisPerEvent(ctx, prefix, before, run.total);
  } finally {
    await set(REDIS_MEMORY_SETTINGS);
  }
}

/**
 * Bare Fastify, the naive ingress, raw Queue.add and the real ingress, one after the other on
 * the same machine and Redis, each warmed up first. The ingress runs with no
 * workers, so its queued events also give Redis' bytes per event.
 */
export async function benchIngress(ctx: BenchContext): Promise<IngressResults> {
  const { connections, warmupSeconds, durationSeconds } = ctx.settings;
  const load = (url: string, seconds: number) => runLoad(ctx.children, { url, connections, durationSeconds: seconds });

  ctx.log(`ingress 1/4: bare Fastify, ${connections} connections, ${warmupSeconds}+${durationSeconds} s`);
  const barePort = await freePort();
  const bareProc = startBenchProcess(ctx.children, 'processes/bare-fastify.ts', {}, { PORT: String(barePort) });
  await bareProc.ready;
  const bareUrl = `http://127.0.0.1:${barePort}/webhooks/evolution`;
  await load(bareUrl, warmupSeconds);
  const bare = await measureCpu(bareProc.pid, ctx.redis, () => load(bareUrl, durationSeconds));
  assertAllAccepted('bare Fastify', bare);
  await bareProc.stop();

  ctx.log(`ingress 2/4: naive ingress (one Queue.add per request), ${warmupSeconds}+${durationSeconds} s`);
  const naivePrefix = benchPrefix('naive');
  const naivePort = await freePort();
  const naiveProc = startBenchProcess(
    ctx.children,
    'processes/naive-ingress.ts',
    {},
    { ...ctx.appEnv, PORT: String(naivePort), REDIS_URL: ctx.redisUrl, QUEUE_PREFIX: naivePrefix },
  );
  await naiveProc.ready;
  const naiveUrl = `http://127.0.0.1:${naivePort}/webhooks/evolution`;
  await load(naiveUrl, warmupSeconds);
  const naive = await measureCpu(naiveProc.pid, ctx.redis, () => load(naiveUrl, durationSeconds));
  assertAllAccepted('naive ingress', naive);
  await naiveProc.stop();
  await deleteKeysUnder(ctx.redis, naivePrefix);

  ctx.log(`ingress 3/4: raw BullMQ Queue.add, ${connections} in flight, ${warmupSeconds}+${durationSeconds} s`);
  const rawPrefix = benchPrefix('raw-add');
  const rawAdd = await startBenchProcess<RawAddResult>(
    ctx.children,
    'processes/raw-queue-add.ts',
    { concurrency: connections, durationSeconds, warmupSeconds },
    { REDIS_URL: ctx.redisUrl, QUEUE_PREFIX: rawPrefix },
  ).result;
  await deleteKeysUnder(ctx.redis, rawPrefix);

  ctx.log(`ingress 4/4: zaprelay ingress (main.ts, LOG_LEVEL=warn, no workers), ${warmupSeconds}+${durationSeconds} s`);
  const prefix = benchPrefix('ingress');
  const ingressProc = await startIngress(ctx, prefix);
  await sleep(300);
  const memoryBefore = await usedMemory(ctx.redis);
  const rssSampler = sampleRss(ingressProc.child.pid as number);
  const warm = await load(ingressProc.url, warmupSeconds);
  const ingressPid = ingressProc.child.pid as number;
  const ingress = await measureCpu(ingressPid, ctx.redis, () => load(ingressProc.url, durationSeconds));
  const rss = rssSampler.stop();
  assertAllAccepted('ingress warm-up', warm);
  assertAllAccepted('ingress', ingress);
  await ingressProc.stop();
  await sleep(300);

  const redis = await redisPerEvent(ctx, prefix, memoryBefore, warm.total + ingress.total);
  const redisDefaults = await redisPerEventWithDefaults(ctx);
  return { bare, naive, rawAdd, ingress, rss, redis, redisDefaults };
}
