import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, where `apps/<name>/src/main.ts` live. */
export const repoRoot = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));

export interface AppProcess {
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

/** How production resolves the workspace packages to the output of `pnpm build`: node alone, no tsx. */
export const COMPILED_NODE_ARGS = ['--conditions=zaprelay-compiled'];

/** What production runs of an app: its bundle (`pnpm build`, scripts/bundle-apps.mjs). */
export const compiledEntry = (app: 'ingress' | 'worker' | 'dashboard') => `apps/${app}/dist/main.bundle.js`;

/**
 * node's arguments in the root package.json's `start:prod:<app>` script (the condition, and the ingress's
 * heap flags): read from there so tests and the bench run each app exactly as production does.
 */
export function compiledNodeArgs(app: 'ingress' | 'worker' | 'dashboard'): string[] {
  const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const script = scripts[`start:prod:${app}`];
  const words = script?.split(/\s+/) ?? [];
  const main = compiledEntry(app);
  if (words[0] !== 'node' || words.at(-1) !== main) {
    throw new Error(`start:prod:${app} is not "node [flags] ${main}": ${script}`);
  }
  return words.slice(1, -1);
}

/**
 * Runs one of the apps exactly as `pnpm start:<name>` does, with only the given environment; `compiled`
 * runs its `pnpm build` output instead, as `pnpm start:prod:<name>` does.
 */
export function startAppProcess(
  app: 'ingress' | 'worker' | 'dashboard',
  env: Record<string, string>,
  options: { compiled?: boolean } = {},
): AppProcess {
  const args = options.compiled
    ? [...compiledNodeArgs(app), compiledEntry(app)]
    : ['--import', 'tsx', `apps/${app}/src/main.ts`];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')),
  );
  return { child, output: () => output, exited, kill: (signal = 'SIGTERM') => child.kill(signal) };
}

/** Polls until `check` returns a truthy value; throws with `what` after the timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Waits until `url` answers at all, and returns its status. */
export function waitForHttp(url: string, timeoutMs = 20_000): Promise<number> {
  return waitFor(`${url} to answer`, async () => (await fetch(url)).status, timeoutMs, 200);
}

/**
 * Until `url` (a /health/ready) answers 200; fails at once, with the process's output, if it exits first
 * (a bad configuration, a port in use) instead of waiting out the timeout.
 */
export async function waitUntilReady(proc: AppProcess, url: string, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const exited = proc.exited.then((code) => {
    throw new Error(`process exited (${code}) before ${url} was ready:\n${proc.output().slice(-4000)}`);
  });
  await Promise.race([
    waitFor(`${url} to answer 200`, async () => (await fetch(url)).status === 200, timeoutMs, everyMs),
    exited,
  ]);
}
