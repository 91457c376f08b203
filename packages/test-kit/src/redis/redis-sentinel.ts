import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from '../processes/app-process.js';
import { freePort } from './free-port.js';
import { spawnRedis } from './redis-server.js';

export interface SentinelNode {
  port: number;
  url: string;
  child: ChildProcess;
  /** SIGKILL by default: the host is gone, nothing is flushed or handed over. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface LocalSentinelGroup {
  /** The master's name, for REDIS_SENTINEL_NAME. */
  name: string;
  /** `127.0.0.1:p1,127.0.0.1:p2,…`, for REDIS_SENTINELS. */
  sentinelsEnv: string;
  /** The master the group started with; after a failover it is no longer the master. */
  master: SentinelNode;
  replicas: SentinelNode[];
  sentinels: SentinelNode[];
  /** Port of the master the Sentinels currently agree on. */
  currentMasterPort(): Promise<number>;
  /**
   * Cuts the master off its replicas and keeps it cut (their PSYNC is denied), as a network partition
   * would; the master keeps taking writes that no replica will ever see.
   */
  partitionReplicas(): Promise<void>;
  /** Until a Sentinel reports a master other than `port`, and that master accepts writes. */
  waitForFailover(fromPort: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

export interface StartSentinelOptions {
  /** Working directory: one subdirectory per process (Sentinel rewrites its own config file). */
  dir: string;
  /** Replicas of the master (default 1). */
  replicas?: number;
  /** Sentinels (default 3, quorum 2). */
  sentinels?: number;
  name?: string;
  /** How long a master must be unreachable before the Sentinels fail it over (default 1000 ms). */
  downAfterMs?: number;
}

const quietClient = (port: number) => {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  return client;
};

/** Runs one command against a node on a throwaway connection. */
async function ask<T>(port: number, run: (client: Redis) => Promise<T>): Promise<T> {
  const client = quietClient(port);
  try {
    await client.connect();
    return await run(client);
  } finally {
    client.disconnect();
  }
}

async function spawnNode(args: string[], port: number): Promise<SentinelNode> {
  const { child, url } = await spawnRedis(args, port);
  return {
    port,
    url,
    child,
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

async function startDataNode(dir: string, replicaOf?: number): Promise<SentinelNode> {
  const port = await freePort();
  const nodeDir = join(dir, `redis-${port}`);
  mkdirSync(nodeDir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir, '--save', '', '--appendonly', 'no'];
  if (replicaOf) args.push('--replicaof', '127.0.0.1', String(replicaOf));
  return spawnNode(args, port);
}

async function startSentinel(
  dir: string,
  name: string,
  masterPort: number,
  downAfterMs: number,
): Promise<SentinelNode> {
  const port = await freePort();
  const nodeDir = join(dir, `sentinel-${port}`);
  mkdirSync(nodeDir, { recursive: true });
  const conf = join(nodeDir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${nodeDir}`,
      `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
      `sentinel failover-timeout ${name} 10000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n'),
  );
  return spawnNode([conf, '--sentinel'], port);
}

/**
 * A master, its replicas and three Sentinels from the `redis-server` binary
 * on free loopback ports, without persistence, for failover tests; `stop`
 * ends every process it started.
 */
export async function startRedisSentinelGroup(options: StartSentinelOptions): Promise<LocalSentinelGroup> {
  const name = options.name ?? 'zaprelay-test';
  const downAfterMs = options.downAfterMs ?? 1000;
  const nodes: SentinelNode[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
  };
  try {
    const master = await startDataNode(options.dir);
    nodes.push(master);
    const replicas: SentinelNode[] = [];
    for (let i = 0; i < (options.replicas ?? 1); i++) {
      const replica = await startDataNode(options.dir, master.port);
      nodes.push(replica);
      replicas.push(replica);
    }
    await waitFor('the replicas to be in sync', () =>
      ask(master.port, async (c) => {
        const info = await c.info('replication');
        return (info.match(/state=online/g) ?? []).length === replicas.length;
      }),
    );
    const sentinels: SentinelNode[] = [];
    for (let i = 0; i < (options.sentinels ?? 3); i++) {
      const sentinel = await startSentinel(options.dir, name, master.port, downAfterMs);
      nodes.push(sentinel);
      sentinels.push(sentinel);
    }
    // Sentinels find each other and the replicas through the master (hello messages every 2 s).
    await waitFor(
      'the Sentinels to know each other and every replica',
      async () => {
        const views = await Promise.all(
          sentinels.map((s) =>
            ask(s.port, async (c) => {
              const peers = (await c.call('SENTINEL', 'SENTINELS', name)) as unknown[];
              const known = (await c.call('SENTINEL', 'REPLICAS', name)) as unknown[];
              return peers.length === sentinels.length - 1 && known.length === replicas.length;
            }),
          ),
        );
        return views.every(Boolean);
      },
      20_000,
    );

    const currentMasterPort = async () => {
      for (const s of sentinels) {
        try {
          const addr = await ask(
            s.port,
            (c) => c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name) as Promise<string[]>,
          );
          return Number(addr[1]);
        } catch {
          // This Sentinel is gone: ask the next one.
        }
      }
      throw new Error('no Sentinel answered');
    };

    return {
      name,
      sentinelsEnv: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
      master,
      replicas,
      sentinels,
      currentMasterPort,
      partitionReplicas: () =>
        ask(master.port, async (c) => {
          await c.call('ACL', 'SETUSER', 'default', '-psync', '-sync');
          await c.call('CLIENT', 'KILL', 'TYPE', 'replica');
        }),
      async waitForFailover(fromPort, timeoutMs = 30_000) {
        const port = await waitFor(
          `a Sentinel failover away from port ${fromPort}`,
          async () => {
            const port = await currentMasterPort();
            if (port === fromPort) return undefined;
            const role = await ask(port, (c) => c.call('ROLE') as Promise<unknown[]>);
            return role[0] === 'master' ? port : undefined;
          },
          timeoutMs,
          200,
        );
        return port as number;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
