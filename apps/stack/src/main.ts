import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDotEnv } from '@zaprelay/core';
import { children as childSpecs } from './child-specs.js';
import { startChild, stopChildren } from './children.js';
import { planDemo } from './demo-banner.js';
import { startDemoDoubles } from './demo-mode.js';
import { startEmbeddedRedis } from './embedded-redis.js';
import { createLogPrinter } from './log-stream.js';

/**
 * `pnpm start`: the whole system on one machine. Whatever is not configured
 * (Redis, SuperCRM, Evolution) is provided locally, and says so loudly.
 */
const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const dataDir = join(root, '.data');
mkdirSync(dataDir, { recursive: true });
const say = (line: string) => process.stdout.write(`stack    │ ${line}\n`);
const envFile = loadDotEnv(process.env, root);
if (envFile) say(`read ${envFile} (variables already set in the environment win)`);
// A blank line in .env means "the default", as for the processes themselves.
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ''));
const cleanups: Array<() => Promise<void>> = [];

// With REDIS_CLUSTER_NODES or REDIS_SENTINELS the children connect there; no local Redis then.
if (!env.REDIS_URL && !env.REDIS_CLUSTER_NODES && !env.REDIS_SENTINELS) {
  const redis = await startEmbeddedRedis(dataDir);
  env.REDIS_URL = redis.url;
  cleanups.push(() => redis.stop());
  say(`REDIS_URL is unset: started redis-server on ${redis.url} (data in .data/redis)`);
}

const doubles = await startDemoDoubles(env);
cleanups.push(() => doubles.close());
if (doubles.started.length > 0) {
  const configured = { ...env };
  Object.assign(env, doubles.env);
  const { env: demoEnv, banner } = planDemo(configured, doubles.started);
  Object.assign(env, demoEnv);
  for (const line of banner) say(line);
  writeFileSync(
    join(dataDir, 'demo.json'),
    JSON.stringify(
      {
        port: env.PORT ?? '3000',
        dashboardPort: env.DASHBOARD_PORT ?? '3001',
        evolutionToken: env.EVOLUTION_WEBHOOK_TOKEN,
        apiToken: env.API_TOKEN,
      },
      null,
      2,
    ),
  );
}

const print = createLogPrinter(process.stdout, { colour: process.stdout.isTTY === true });
const running: ChildProcess[] = [];
let stopping = false;

async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await stopChildren(running, 15_000);
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  process.exit(code);
}

for (const spec of childSpecs) {
  const child = startChild(spec, env, root);
  print(spec.label, child.stdout as NonNullable<typeof child.stdout>);
  print(spec.label, child.stderr as NonNullable<typeof child.stderr>);
  child.once('exit', (code, signal) => {
    if (stopping) return;
    say(`${spec.label} exited (${signal ?? code}); stopping the rest`);
    void stopAll(code === 0 ? 1 : (code ?? 1));
  });
  running.push(child);
}

say(
  `ingress http://localhost:${env.PORT ?? 3000}  dashboard http://localhost:${env.DASHBOARD_PORT ?? 3001}  worker metrics http://localhost:${env.WORKER_METRICS_PORT ?? 9464}/metrics`,
);
process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));
