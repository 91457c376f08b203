import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildRegistry } from './child-registry.js';

export interface BenchProcess<T> {
  pid: number;
  /** Resolves once the process printed `ready`. */
  ready: Promise<void>;
  /** The last JSON line it printed, once it exited 0. */
  result: Promise<T>;
  stop(): Promise<void>;
}

const srcDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs one of bench/src's scripts in its own Node process (through tsx), tracked for cleanup. */
export function startBenchProcess<T>(
  children: ChildRegistry,
  script: string,
  spec: unknown,
  env: Record<string, string> = {},
): BenchProcess<T> {
  const child = children.track(
    script,
    spawn(process.execPath, ['--import', 'tsx', `${srcDir}${script}`, JSON.stringify(spec)], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  let out = '';
  let markReady: () => void = () => {};
  let failReady: (err: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  child.stdout?.on('data', (chunk) => {
    out += String(chunk);
    if (/^ready$/m.test(out)) markReady();
  });
  const result = new Promise<T>((resolve, reject) => {
    child.once('exit', (code, signal) => {
      const line = out.trim().split('\n').pop() ?? '';
      const error = new Error(`${script} exited ${code ?? signal}: ${out.slice(-2000)}`);
      failReady(error);
      if (code !== 0 || !line.startsWith('{')) return reject(error);
      resolve(JSON.parse(line) as T);
    });
  });
  // Callers that only wait for `ready` must not turn a later failure into an unhandled rejection.
  result.catch(() => {});
  ready.catch(() => {});
  return { pid: child.pid ?? -1, ready, result, stop: () => children.stop(child) };
}
