import { setTimeout as sleep } from 'node:timers/promises';
import { QUEUES, REDIS_MEMORY_SETTINGS } from '@zaprelay/core';
import { deleteKeysUnder, freePort } from '@zaprelay/test-kit';
import { startBenchProcess } from '../infra/bench-process.js';
import { measureCpu } from '../infra/cpu-time.js';
import { inTurns } from '../infra/in-turns.js';
import { memoryByKind, usedMemory } from '../infra/redis-memory.js';
import { sampleRss } from '../infra/rss-sampler.js';
import { type LoadResult, runLoad } from '../load/run-load.js';
import { type BenchContext, benchPrefix, startIngress } from './context.js';

/** CPU microseconds per request (or add) of the process measured and of redis-server. */
interface CpuPerOp {
  cpuUsPerOp: number;
  redisCpuUsPerOp: number;
  /** Socket reads Redis made per request: how many of its commands arrived together. */
  redisReadsPerOp: number;
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
  loadRuns: number,
): Promise<RedisPerEvent> {
  const memoryAfter = await usedMemory(ctx.redis);
  const events = await ctx.redis.llen(`${prefix}:${QUEUES.events}:wait`);
  // autocannon stops counting at the deadline: the requests then in flight (one per connection) were sent but not
  // counted, at the end of each run.
  const inFlight = loadRuns * ctx.settings.connections;
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
    return await redisPerEvent(ctx, prefix, before, run.total, 1);
  } finally {
    await set(REDIS_MEMORY_SETTINGS);
  }
}

/** Measured stretches each of the naive and the real ingress get, alternating (see benchIngress). */
export const INGRESS_ROUNDS = 5;

type Measured = LoadResult & CpuPerOp;

/**
 * Several stretches of one server, added up: requests and CPU summed, the rate
 * over their total time, p50 and p99 the request-weighted means of theirs.
 */
function combine(parts: Measured[], secondsEach: number): Measured {
  const sum = (f: (m: Measured) => number) => parts.reduce((n, m) => n + f(m), 0);
  const total = sum((m) => m.total);
  const weighted = (f: (m: Measured) => number) => sum((m) => f(m) * m.total) / total;
  return {
    requestsPerSecond: total / (secondsEach * parts.length),
    total,
    p50Ms: weighted((m) => m.p50Ms),
    p99Ms: weighted((m) => m.p99Ms),
    non2xx: sum((m) => m.non2xx),
    errors: sum((m) => m.errors),
    timeouts: sum((m) => m.timeouts),
    bodyBytes: parts[0]?.bodyBytes ?? 0,
    cpuUsPerOp: weighted((m) => m.cpuUsPerOp),
    redisCpuUsPerOp: weighted((m) => m.redisCpuUsPerOp),
    redisReadsPerOp: weighted((m) => m.redisReadsPerOp),
  };
}

/**
 * Bare Fastify and raw Queue.add one after the other, then the naive ingress
 * and the real one, on the same machine and Redis, each warmed up first. The
 * two ingresses, whose ratio is the target, run side by side and are loaded in
 * turns (INGRESS_ROUNDS stretches each, the order flipping every round), so a
 * busy moment of this shared machine falls on both instead of on whichever ran
 * then. The ingress runs with no workers, so its queued events also give
 * Redis' bytes per event.
 */
export async function benchIngress(ctx: BenchContext): Promise<IngressResults> {
  const { connections, warmupSeconds, durationSeconds } = ctx.settings;
  const load = (url: string, seconds: number) => runLoad(ctx.children, { url, connections, durationSeconds: seconds });

  ctx.log(`ingress 1/3: bare Fastify, ${connections} connections, ${warmupSeconds}+${durationSeconds} s`);
  const barePort = await freePort();
  const bareProc = startBenchProcess(ctx.children, 'processes/bare-fastify.ts', {}, { PORT: String(barePort) });
  await bareProc.ready;
  const bareUrl = `http://127.0.0.1:${barePort}/webhooks/evolution`;
  await load(bareUrl, warmupSeconds);
  const bare = await measureCpu(bareProc.pid, ctx.redis, () => load(bareUrl, durationSeconds));
  assertAllAccepted('bare Fastify', bare);
  await bareProc.stop();

  ctx.log(`ingress 2/3: raw BullMQ Queue.add, ${connections} in flight, ${warmupSeconds}+${durationSeconds} s`);
  const rawPrefix = benchPrefix('raw-add');
  const rawAdd = await startBenchProcess<RawAddResult>(
    ctx.children,
    'processes/raw-queue-add.ts',
    { concurrency: connections, durationSeconds, warmupSeconds },
    { REDIS_URL: ctx.redisUrl, QUEUE_PREFIX: rawPrefix },
  ).result;
  await deleteKeysUnder(ctx.redis, rawPrefix);

  const rounds = INGRESS_ROUNDS;
  const stretch = durationSeconds / rounds;
  ctx.log(
    `ingress 3/3: naive ingress (one Queue.add per request) and zaprelay ingress (main.ts, LOG_LEVEL=warn, no workers), ${warmupSeconds} s each, then ${rounds} × ${stretch} s each in turns`,
  );
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
  const prefix = benchPrefix('ingress');
  const ingressProc = await startIngress(ctx, prefix);
  const ingressPid = ingressProc.child.pid as number;
  await sleep(300);
  const memoryBefore = await usedMemory(ctx.redis);
  const rssSampler = sampleRss(ingressPid);
  assertAllAccepted('naive ingress warm-up', await load(naiveUrl, warmupSeconds));
  const warm = await load(ingressProc.url, warmupSeconds);
  assertAllAccepted('ingress warm-up', warm);
  const naiveParts: Measured[] = [];
  const ingressParts: Measured[] = [];
  await inTurns(
    rounds,
    async () => naiveParts.push(await measureCpu(naiveProc.pid, ctx.redis, () => load(naiveUrl, stretch))),
    async () => ingressParts.push(await measureCpu(ingressPid, ctx.redis, () => load(ingressProc.url, stretch))),
  );
  const rss = rssSampler.stop();
  const naive = combine(naiveParts, stretch);
  const ingress = combine(ingressParts, stretch);
  assertAllAccepted('naive ingress', naive);
  assertAllAccepted('ingress', ingress);
  await naiveProc.stop();
  await ingressProc.stop();
  // The naive ingress's keys go before Redis' memory is read: what is left is the real ingress's.
  await deleteKeysUnder(ctx.redis, naivePrefix);
  await sleep(300);

  const redis = await redisPerEvent(ctx, prefix, memoryBefore, warm.total + ingress.total, 1 + rounds);
  const redisDefaults = await redisPerEventWithDefaults(ctx);
  return { bare, naive, rawAdd, ingress, rss, redis, redisDefaults };
}
