import type { ChildProcess } from 'node:child_process';

/**
 * Every process the bench starts, so that a failure or Ctrl-C still stops
 * them all: SIGTERM first (the apps drain and close their Redis clients),
 * SIGKILL after a grace period.
 */
export interface ChildRegistry {
  track(name: string, child: ChildProcess): ChildProcess;
  stop(child: ChildProcess, graceMs?: number): Promise<void>;
  stopAll(): Promise<void>;
}

const gone = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

export function createChildRegistry(): ChildRegistry {
  const children = new Map<ChildProcess, string>();

  async function stop(child: ChildProcess, graceMs = 8000): Promise<void> {
    if (!gone(child)) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!gone(child)) child.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
    children.delete(child);
  }

  return {
    track(name, child) {
      children.set(child, name);
      child.once('exit', () => children.delete(child));
      return child;
    },
    stop,
    async stopAll() {
      await Promise.all([...children.keys()].map((child) => stop(child, 3000)));
    },
  };
}
