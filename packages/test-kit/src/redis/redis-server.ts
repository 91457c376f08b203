import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

export interface LocalRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  port?: number;
  /** Working directory; with `persist` the append-only file lives there. */
  dir: string;
  persist?: boolean;
  /** More redis-server arguments (e.g. core's redisMemoryArgs()). */
  settings?: string[];
  /** Where redis-server's own output goes; ignored by default. */
  stdio?: 'ignore' | 'inherit';
}

export function hasRedisServerBinary(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return probe.status === 0;
}

async function waitForPing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch (err) {
      lastError = err;
    } finally {
      client.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

/** Runs `redis-server` with `args` until it answers PING on the loopback `port` (killed if it never does). */
export async function spawnRedis(
  args: string[],
  port: number,
  stdio: 'ignore' | 'inherit' = 'ignore',
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('redis-server', args, { stdio });
  const url = `redis://127.0.0.1:${port}`;
  try {
    await waitForPing(url, child, 10_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { child, url };
}

/** Starts a private `redis-server` (from PATH) on a free loopback port. */
export async function startRedisServer(options: StartRedisOptions): Promise<LocalRedis> {
  const port = options.port ?? (await freePort());
  mkdirSync(options.dir, { recursive: true });
  const persistence = options.persist
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']
    : ['--appendonly', 'no', '--save', ''];
  const { child, url } = await spawnRedis(
    [
      ...[
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        options.dir,
        ...persistence,
        '--protected-mode',
        'yes',
      ],
      ...(options.settings ?? []),
    ],
    port,
    options.stdio,
  );
  return {
    url,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
