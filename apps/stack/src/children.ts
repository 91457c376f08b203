import { type ChildProcess, spawn } from 'node:child_process';

export interface ChildSpec {
  label: string;
  entry: string;
}

/** Starts each process with `tsx`, the same way `pnpm start:<name>` does. */
export function startChild(spec: ChildSpec, env: NodeJS.ProcessEnv, cwd: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', spec.entry], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** SIGTERM to each, SIGKILL after the grace period. */
export async function stopChildren(children: ChildProcess[], graceMs: number): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}
