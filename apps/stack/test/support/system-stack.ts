import { createRedisConnection, loadConfig } from '@zaprelay/core';
import {
  type AppProcess,
  deleteKeysUnder,
  type EvolutionDouble,
  freePort,
  type SuperCrmDouble,
  startAppProcess,
  waitUntilReady,
} from '@zaprelay/test-kit';
import { uniquePrefix } from '@zaprelay/test-kit/vitest';
import { systemEnv } from './system-env.js';

export interface SystemStackOptions {
  redisUrl: string;
  crm: SuperCrmDouble;
  evolution: EvolutionDouble;
  /** The ingress's port, when a double must know it in advance (Evolution's webhook URL); default a free one. */
  ingressPort?: number;
  /** Worker processes started with the ingress (default 1). */
  workers?: number;
  /** Scenario-specific variables for every process (retry policy, lock duration…). */
  env?: Record<string, string>;
  label?: string;
}

export interface SystemStack {
  readonly ingressUrl: string;
  readonly queuePrefix: string;
  /** The environment every process got (a worker also gets its own WORKER_METRICS_PORT). */
  readonly env: Record<string, string>;
  /** The ingress started last. */
  readonly ingress: AppProcess;
  /** Every worker started so far, dead or alive, in start order. */
  readonly workers: AppProcess[];
  /** Starts an ingress on the same port (after the previous one is gone) and waits until it is ready. */
  startIngress(): Promise<AppProcess>;
  /** A worker with the stack's environment, plus `env` (a role: WORKER_QUEUES). */
  startWorker(env?: Record<string, string>): Promise<AppProcess>;
  /** The process's `/health/ready` (the ingress's port, or a worker's WORKER_METRICS_PORT). */
  readyUrl(proc: AppProcess): string;
  /** The last lines every process wrote, for a failing test's report. */
  outputTail(lines?: number): string;
  /** SIGKILLs what still runs and deletes this stack's keys (when Redis answers). */
  close(): Promise<void>;
}

const isRunning = (proc: AppProcess) => proc.child.exitCode === null && proc.child.signalCode === null;

/** Deletes the keys under the stack's prefix: the stack's Redis may be shared with other tests. */
async function deleteKeys(env: Record<string, string>, prefix: string): Promise<void> {
  const redis = createRedisConnection(loadConfig(env), { role: 'producer', name: 'stack-test-cleanup' });
  redis.on('error', () => {});
  try {
    await deleteKeysUnder(redis, prefix);
  } catch {
    // Redis is gone (an outage scenario stopped its own server): nothing left to clean.
  } finally {
    redis.disconnect();
  }
}

/**
 * The real ingress and worker processes (`apps/<name>/src/main.ts`, as in
 * production) against the given Redis and HTTP doubles, under a fresh queue prefix.
 */
export async function startSystemStack(options: SystemStackOptions): Promise<SystemStack> {
  const ingressPort = options.ingressPort ?? (await freePort());
  const queuePrefix = uniquePrefix(options.label ?? 'stack');
  const env = systemEnv({
    redisUrl: options.redisUrl,
    queuePrefix,
    crmBaseUrl: options.crm.baseUrl,
    crmApiKey: options.crm.apiKey,
    evolutionUrl: options.evolution.url,
    ingressPort,
    overrides: options.env,
  });
  const ingressUrl = `http://127.0.0.1:${ingressPort}`;
  const started: Array<{ name: string; proc: AppProcess }> = [];
  const workers: AppProcess[] = [];
  const readyUrls = new Map<AppProcess, string>();
  let ingress: AppProcess | undefined;

  async function startIngress() {
    if (ingress && isRunning(ingress)) throw new Error('the previous ingress is still running');
    const proc = startAppProcess('ingress', env);
    started.push({ name: `ingress#${started.length}`, proc });
    ingress = proc;
    readyUrls.set(proc, `${ingressUrl}/health/ready`);
    await waitUntilReady(proc, `${ingressUrl}/health/ready`);
    return proc;
  }

  async function startWorker(extra: Record<string, string> = {}) {
    const metricsPort = await freePort();
    const proc = startAppProcess('worker', { ...env, ...extra, WORKER_METRICS_PORT: String(metricsPort) });
    started.push({ name: `worker#${workers.length}`, proc });
    workers.push(proc);
    readyUrls.set(proc, `http://127.0.0.1:${metricsPort}/health/ready`);
    await waitUntilReady(proc, `http://127.0.0.1:${metricsPort}/health/ready`);
    return proc;
  }

  const stack: SystemStack = {
    ingressUrl,
    queuePrefix,
    env,
    get ingress() {
      if (!ingress) throw new Error('no ingress started');
      return ingress;
    },
    workers,
    startIngress,
    startWorker,
    readyUrl(proc) {
      const url = readyUrls.get(proc);
      if (!url) throw new Error('not a process of this stack');
      return url;
    },
    outputTail(lines = 40) {
      return started
        .map(
          ({ name, proc }) =>
            `--- ${name} (pid ${proc.child.pid}) ---\n${proc.output().split('\n').slice(-lines).join('\n')}`,
        )
        .join('\n');
    },
    async close() {
      for (const { proc } of started) if (isRunning(proc)) proc.kill('SIGKILL');
      await Promise.all(started.map(({ proc }) => proc.exited));
      await deleteKeys(env, queuePrefix);
    },
  };

  try {
    await Promise.all([startIngress(), ...Array.from({ length: options.workers ?? 1 }, () => startWorker())]);
  } catch (err) {
    await stack.close();
    throw err;
  }
  return stack;
}

export { isRunning };
