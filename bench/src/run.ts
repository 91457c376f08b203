import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redisMemoryArgs } from '@zaprelay/core';
import { repoRoot, startRedisServer } from '@zaprelay/test-kit';
import { Redis } from 'ioredis';
import { createChildRegistry } from './infra/child-registry.js';
import { describeMachine, type Machine } from './infra/machine.js';
import { redisVersion } from './infra/redis-memory.js';
import { benchBreaker } from './phases/breaker-phase.js';
import { benchCluster } from './phases/cluster-phase.js';
import type { BenchContext, BenchSettings } from './phases/context.js';
import { benchCompiledRss, benchReplicationWait } from './phases/deployment-phase.js';
import { benchIngress } from './phases/ingress-phase.js';
import { benchLatency } from './phases/latency-phase.js';
import { benchLimiter } from './phases/limiter-phase.js';
import { benchWorkers } from './phases/workers-phase.js';
import { ANALYSIS_HEADING, renderBenchmarks } from './report/benchmarks-md.js';
import { markdownTable, rows } from './report/targets.js';

/**
 * `pnpm bench`: ingress, workers, limiter and memory, each measured side by
 * side with its ceiling in this one run, against a private redis-server.
 * Prints the table and rewrites BENCHMARKS.md (keeping its hand-written analysis).
 *
 * BENCH_CPU_PROF=<dir> writes V8 CPU profiles of the ingress and worker processes there;
 * BENCH_QUICK=1 is a short smoke run of the bench itself (its figures mean little; BENCHMARKS.md untouched);
 * BENCH_ONLY=ingress,workers,limiter,latency,breaker,wait,compiled,cluster runs just those parts and prints their raw figures (BENCHMARKS.md untouched);
 * BENCH_LIMITERS=6000x4 narrows the limiter part to those cases (<max>x<worker processes>).
 */
const full: BenchSettings = {
  connections: 50,
  warmupSeconds: 3,
  durationSeconds: 10,
  workerEvents: 5000,
  workerConcurrency: 10,
  // The production limit and a 60× larger plan, each with a backlog of about 1.6 windows (one full window measured).
  limiters: [
    { max: 100, windowMs: 60_000, backlog: 165 },
    { max: 6000, windowMs: 60_000, backlog: 9600 },
  ],
  latency: { samples: 40, spacingMs: 750 },
  breakerDownMs: 60_000,
};
const quick: BenchSettings = {
  ...full,
  warmupSeconds: 1,
  durationSeconds: 3,
  workerEvents: 1000,
  limiters: [
    { max: 20, windowMs: 2000, backlog: 35 },
    { max: 600, windowMs: 2000, backlog: 1000 },
  ],
  latency: { samples: 10, spacingMs: 750 },
  breakerDownMs: 10_000,
};
const settings = process.env.BENCH_QUICK ? quick : full;

const started = Date.now();
const log = (message: string) =>
  process.stderr.write(`[bench +${Math.round((Date.now() - started) / 1000)}s] ${message}\n`);
const children = createChildRegistry();
const dataDir = mkdtempSync(join(tmpdir(), 'zaprelay-bench-'));
let cleanup: Promise<void> | undefined;
let stopRedis: () => Promise<void> = async () => {};
let client: Redis | undefined;

function cleanUp(): Promise<void> {
  cleanup ??= (async () => {
    await children.stopAll();
    client?.disconnect();
    await stopRedis();
    rmSync(dataDir, { recursive: true, force: true });
  })();
  return cleanup;
}

async function measureAndReport(ctx: BenchContext, machine: Machine) {
  const ingress = await benchIngress(ctx);
  const workers = await benchWorkers(ctx);
  const limiter = await benchLimiters(ctx);
  const latency = await benchLatency(ctx);
  const breaker = await benchBreaker(ctx, settings.breakerDownMs);
  const deployment = { wait: await benchReplicationWait(ctx), compiled: await benchCompiledRss(ctx) };
  const cluster = await benchCluster(ctx);
  const results = { ingress, workers, limiter, latency, breaker, deployment, cluster };
  const table = rows(results);
  process.stdout.write(`\n${markdownTable(table)}\n\n`);
  for (const row of table.filter((r) => r.met === false)) process.stdout.write(`❌ ${row.what}: ${row.miss}\n`);
  // A smoke run's figures would overwrite a real run's.
  if (process.env.BENCH_QUICK) return;

  const file = join(repoRoot, 'BENCHMARKS.md');
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = previous.indexOf(ANALYSIS_HEADING);
  const keptAnalysis = at >= 0 ? previous.slice(at) : undefined;
  const seconds = (Date.now() - started) / 1000;
  const loadAverageAtEnd = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  writeFileSync(file, renderBenchmarks({ machine, settings, results, table, seconds, loadAverageAtEnd, keptAnalysis }));
  spawnSync(join(repoRoot, 'node_modules/.bin/biome'), ['format', '--write', file], { stdio: 'ignore' });
  process.stdout.write(`\nwritten to BENCHMARKS.md (${Math.round(seconds)} s)\n`);
}

/** Each CRM limit of the settings, with 1 and then 4 worker processes. */
async function benchLimiters(ctx: BenchContext) {
  // BENCH_LIMITERS=6000x4,100x1 runs just those cases (<max>x<worker processes>).
  const cases = process.env.BENCH_LIMITERS?.split(',');
  const out = [];
  for (const limit of settings.limiters) {
    for (const workers of [1, 4]) {
      if (cases && !cases.includes(`${limit.max}x${workers}`)) continue;
      out.push(await benchLimiter(ctx, workers, limit));
    }
  }
  return out;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping every child process`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  // With the memory settings zaprelay ships (both compose files): Redis per queued message is measured as deployed.
  const redis = await startRedisServer({ dir: dataDir, settings: redisMemoryArgs() });
  stopRedis = redis.stop;
  client = new Redis(redis.url, { maxRetriesPerRequest: null });
  const machine = describeMachine(await redisVersion(client));
  log(`redis-server ${machine.redis} at ${redis.url}; ${machine.cores} × ${machine.cpu}, Node ${machine.node}`);
  const ctx: BenchContext = {
    redisUrl: redis.url,
    redis: client,
    children,
    settings,
    appEnv: process.env.BENCH_CPU_PROF
      ? {
          BENCH_CPU_PROF: process.env.BENCH_CPU_PROF,
          NODE_OPTIONS: `--import ${fileURLToPath(new URL('./infra/cpu-profile.mjs', import.meta.url))}`,
        }
      : {},
    log,
  };

  const only = process.env.BENCH_ONLY?.split(',');
  if (only) {
    const partial = {
      ingress: only.includes('ingress') ? await benchIngress(ctx) : undefined,
      workers: only.includes('workers') ? await benchWorkers(ctx) : undefined,
      limiter: only.includes('limiter') ? await benchLimiters(ctx) : undefined,
      latency: only.includes('latency') ? await benchLatency(ctx) : undefined,
      breaker: only.includes('breaker') ? await benchBreaker(ctx, settings.breakerDownMs) : undefined,
      wait: only.includes('wait') ? await benchReplicationWait(ctx) : undefined,
      compiled: only.includes('compiled') ? await benchCompiledRss(ctx) : undefined,
      cluster: only.includes('cluster') ? await benchCluster(ctx) : undefined,
    };
    process.stdout.write(`${JSON.stringify(partial, null, 2)}\n`);
  } else {
    await measureAndReport(ctx, machine);
  }
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
