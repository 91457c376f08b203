import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisMemoryArgs } from '@zaprelay/core';
import { deleteKeysUnder, repoRoot, startRedisSentinelGroup, startRedisServer } from '@zaprelay/test-kit';
import { Redis } from 'ioredis';
import { readRss, sampleRss } from '../infra/rss-sampler.js';
import { type LoadResult, runLoad } from '../load/run-load.js';
import { type BenchContext, benchPrefix, startIngress, startWorker } from './context.js';

export interface ReplicationWaitResults {
  /** One redis-server without persistence (the bench's own). */
  single: LoadResult;
  /** One redis-server with appendonly yes, appendfsync everysec (as docker-compose.yml runs it). */
  aofEverysec: LoadResult;
  /** The same ingress, master, replica and Sentinels; only REDIS_WAIT_REPLICAS differs. */
  waitReplicas0: LoadResult;
  waitReplicas1: LoadResult;
}

export interface IngressRss {
  /** From spawning the process to its first 200 from /health/ready. */
  readyMs: number;
  /** After start-up, before any request. */
  idleBytes: number;
  peakBytes: number;
  requestsPerSecond: number;
}

export interface CompiledRssResults {
  tsx: IngressRss;
  compiled: IngressRss;
  /** The compiled worker (every queue), spawn → ready. */
  workerReadyMs: number;
}

export interface DeploymentResults {
  wait?: ReplicationWaitResults;
  compiled?: CompiledRssResults;
}

function assertAllAccepted(what: string, r: LoadResult) {
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(`${what}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  }
}

/** The ingress under the bench's load with `env`; its keys are deleted afterwards through `redis`. */
async function ingressThroughput(ctx: BenchContext, what: string, redis: Redis, env: Record<string, string>) {
  const { connections, warmupSeconds, durationSeconds } = ctx.settings;
  ctx.log(`wait: ingress on ${what}, ${warmupSeconds}+${durationSeconds} s`);
  const prefix = benchPrefix('redis-mode');
  const ingress = await startIngress(ctx, prefix, env);
  const load = (seconds: number) => runLoad(ctx.children, { url: ingress.url, connections, durationSeconds: seconds });
  assertAllAccepted(`${what} warm-up`, await load(warmupSeconds));
  const result = await load(durationSeconds);
  assertAllAccepted(what, result);
  await ingress.stop();
  await deleteKeysUnder(redis, prefix);
  return result;
}

/** Rounds of the Redis modes, interleaved; each mode keeps its best round (the one least disturbed by neighbours). */
const MODE_ROUNDS = 2;

/**
 * What each Redis mode costs the ingress: one Redis without persistence, with AOF everysec, then a master,
 * one replica and three Sentinels (all on this machine: the replica's acknowledgement is a loopback round trip,
 * the best case) with REDIS_WAIT_REPLICAS 0 and 1.
 */
export async function benchReplicationWait(ctx: BenchContext): Promise<ReplicationWaitResults> {
  const dir = mkdtempSync(join(tmpdir(), 'zaprelay-bench-redis-modes-'));
  const aofRedis = await startRedisServer({ dir: join(dir, 'aof'), persist: true, settings: redisMemoryArgs() });
  const aofClient = new Redis(aofRedis.url);
  const group = await startRedisSentinelGroup({ dir: join(dir, 'sentinel'), replicas: 1 });
  const master = new Redis(group.master.url);
  const sentinel = (replicas: number) => ({
    REDIS_SENTINELS: group.sentinelsEnv,
    REDIS_SENTINEL_NAME: group.name,
    REDIS_WAIT_REPLICAS: String(replicas),
    REDIS_WAIT_TIMEOUT_MS: '1000',
  });
  const modes: Array<[keyof ReplicationWaitResults, string, Redis, Record<string, string>]> = [
    ['single', 'one Redis, no persistence', ctx.redis, {}],
    ['aofEverysec', 'one Redis, AOF everysec', aofClient, { REDIS_URL: aofRedis.url }],
    ['waitReplicas0', 'Sentinel, REDIS_WAIT_REPLICAS=0', master, sentinel(0)],
    ['waitReplicas1', 'Sentinel, REDIS_WAIT_REPLICAS=1', master, sentinel(1)],
  ];
  try {
    const best: Partial<ReplicationWaitResults> = {};
    for (let round = 1; round <= (process.env.BENCH_QUICK ? 1 : MODE_ROUNDS); round++) {
      for (const [key, what, redis, env] of modes) {
        const result = await ingressThroughput(ctx, `${what} (round ${round})`, redis, env);
        if (result.requestsPerSecond > (best[key]?.requestsPerSecond ?? 0)) best[key] = result;
      }
    }
    return best as ReplicationWaitResults;
  } finally {
    aofClient.disconnect();
    master.disconnect();
    await aofRedis.stop();
    await group.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The ingress's memory run through tsx and as `pnpm build` output under plain node, under the same load. */
export async function benchCompiledRss(ctx: BenchContext): Promise<CompiledRssResults> {
  const { connections, warmupSeconds, durationSeconds } = ctx.settings;
  ctx.log('compiled: pnpm build');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  const measure = async (compiled: boolean): Promise<IngressRss> => {
    ctx.log(
      `compiled: ingress ${compiled ? 'node dist/main.bundle.js' : 'tsx src/main.ts'}, ${warmupSeconds}+${durationSeconds} s`,
    );
    const prefix = benchPrefix(compiled ? 'compiled' : 'tsx');
    const spawned = performance.now();
    const ingress = await startIngress(ctx, prefix, {}, { compiled });
    const readyMs = performance.now() - spawned;
    const pid = ingress.child.pid as number;
    await sleep(500);
    const idleBytes = readRss(pid) ?? 0;
    const sampler = sampleRss(pid);
    const load = (seconds: number) =>
      runLoad(ctx.children, { url: ingress.url, connections, durationSeconds: seconds });
    assertAllAccepted('rss warm-up', await load(warmupSeconds));
    const result = await load(durationSeconds);
    const rss = sampler.stop();
    assertAllAccepted('rss', result);
    await ingress.stop();
    await deleteKeysUnder(ctx.redis, prefix);
    return { readyMs, idleBytes, peakBytes: rss.peakBytes, requestsPerSecond: result.requestsPerSecond };
  };
  const tsx = await measure(false);
  const compiled = await measure(true);
  const prefix = benchPrefix('compiled-worker');
  const spawned = performance.now();
  const worker = await startWorker(
    ctx,
    prefix,
    { SUPER_CRM_API_KEY: 'bench-unused', SUPER_CRM_BASE_URL: 'http://127.0.0.1:9' },
    { compiled: true },
  );
  const workerReadyMs = performance.now() - spawned;
  await worker.stop();
  await deleteKeysUnder(ctx.redis, prefix);
  return { tsx, compiled, workerReadyMs };
}
