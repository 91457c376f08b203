import { randomUUID } from 'node:crypto';
import { type AppProcess, freePort, type SuperCrmDouble, startAppProcess, waitUntilReady } from '@zaprelay/test-kit';
import type { Redis } from 'ioredis';
import type { ChildRegistry } from '../infra/child-registry.js';
import { BENCH_WEBHOOK_TOKEN } from '../load/webhook-body.js';

export interface BenchSettings {
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Events in the end-to-end backlog (and no-op jobs in the raw one). */
  workerEvents: number;
  workerConcurrency: number;
  /** Each CRM limit measured with 1 and 4 worker processes: a backlog of more than one window. */
  limiters: { max: number; windowMs: number; backlog: number }[];
  /** End-to-end latency: webhooks sent one at a time, this far apart, under the production CRM limit. */
  latency: { samples: number; spacingMs: number };
  /** How long the CRM is down in the breaker part. */
  breakerDownMs: number;
}

export interface BenchContext {
  redisUrl: string;
  /** The bench's own client, for INFO, counts, pause/resume and cleanup of its own prefixes. */
  redis: Redis;
  children: ChildRegistry;
  settings: BenchSettings;
  /** Extra environment for every app process (e.g. NODE_OPTIONS=--cpu-prof). */
  appEnv: Record<string, string>;
  log(message: string): void;
}

/** How often a starting process is asked whether it is ready: fine enough for its start-up time to be measured. */
const READY_POLL_MS = 10;

/** A queue prefix no one else uses: every key the bench creates lives under one. */
export const benchPrefix = (what: string) => `bench-${what}-${randomUUID().slice(0, 8)}`;

/** Runs an app's main.ts in its own process (like `pnpm start:<app>`), tracked for cleanup. */
export function startApp(
  ctx: BenchContext,
  app: 'ingress' | 'worker',
  env: Record<string, string>,
  options: { compiled?: boolean } = {},
): AppProcess & { stop(): Promise<void> } {
  const proc = startAppProcess(
    app,
    {
      REDIS_URL: ctx.redisUrl,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      EVOLUTION_MONITORING_ENABLED: 'false',
      ...ctx.appEnv,
      ...env,
    },
    options,
  );
  ctx.children.track(app, proc.child);
  return { ...proc, stop: () => ctx.children.stop(proc.child) };
}

/** `env` adds to (or overrides) the ingress's variables; `compiled` runs the `pnpm build` output with node. */
export async function startIngress(
  ctx: BenchContext,
  prefix: string,
  env: Record<string, string> = {},
  options: { compiled?: boolean } = {},
) {
  const port = await freePort();
  const proc = startApp(
    ctx,
    'ingress',
    { QUEUE_PREFIX: prefix, PORT: String(port), EVOLUTION_WEBHOOK_TOKEN: BENCH_WEBHOOK_TOKEN, ...env },
    options,
  );
  await waitUntilReady(proc, `http://127.0.0.1:${port}/health/ready`, undefined, READY_POLL_MS);
  return { ...proc, url: `http://127.0.0.1:${port}/webhooks/evolution` };
}

export async function startWorker(
  ctx: BenchContext,
  prefix: string,
  env: Record<string, string>,
  options: { compiled?: boolean } = {},
) {
  const port = await freePort();
  const proc = startApp(
    ctx,
    'worker',
    {
      QUEUE_PREFIX: prefix,
      WORKER_METRICS_PORT: String(port),
      WORKER_CONCURRENCY: String(ctx.settings.workerConcurrency),
      ...env,
    },
    options,
  );
  await waitUntilReady(proc, `http://127.0.0.1:${port}/health/ready`, undefined, READY_POLL_MS);
  return proc;
}

/** A worker's environment for the SuperCRM double with a CRM limit of `max` requests per `windowMs`. */
export const crmEnv = (double: SuperCrmDouble, limit: { max: number; windowMs: number }) => ({
  SUPER_CRM_BASE_URL: double.baseUrl,
  SUPER_CRM_API_KEY: double.apiKey,
  SUPER_CRM_RATE_LIMIT_MAX: String(limit.max),
  SUPER_CRM_RATE_LIMIT_DURATION_MS: String(limit.windowMs),
});
