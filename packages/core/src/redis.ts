import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config/env-schema.js';
import { createClusterConnection } from './redis-cluster.js';
import { type SentinelTarget, sentinelOptions, sentinelTarget } from './redis-sentinel.js';
import { WritesPerTurnRedis } from './redis-writes-per-turn.js';

/** A connection to one Redis or to a Redis Cluster: BullMQ and our own keys work on both. */
export type RedisClient = Redis | Cluster;

/** The part of the config that says where Redis is: a cluster, Sentinels, or REDIS_URL. */
export type RedisTarget = Pick<
  Config,
  'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME' | 'REDIS_SENTINEL_PASSWORD'
>;

/**
 * - `worker`: blocking commands wait for Redis to come back (BullMQ workers need
 *   `maxRetriesPerRequest: null`).
 * - `producer`: fail fast, so the ingress can answer 503 at once instead of
 *   hanging until the sender's timeout; it reconnects on its own.
 */
export type RedisRole = 'worker' | 'producer';

export interface RedisConnectionOptions {
  role: RedisRole;
  /** Shown in CLIENT LIST, which makes a busy Redis easier to read. */
  name?: string;
  /** Reach the master through Sentinel instead of REDIS_URL's host. */
  sentinel?: SentinelTarget;
  /**
   * Commands issued in the same event-loop tick leave in one write (ioredis
   * auto-pipelining), at the cost of a pipeline object per tick. Where
   * `writesPerTurn` applies (one Redis or Sentinel) it replaces this.
   */
  autoPipelining?: boolean;
  /**
   * Writes held to the end of each turn of the event loop (redis-writes-per-turn.ts): the commands of every
   * request or job handled in one turn leave in one write. One Redis or Sentinel; a cluster ignores it (each node
   * has its own socket).
   */
  writesPerTurn?: boolean;
}

const reconnectDelay = (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2000);

/** True when the config points at a Redis Cluster (REDIS_CLUSTER_NODES wins over REDIS_URL). */
export const isClusterTarget = (target: Pick<Config, 'REDIS_CLUSTER_NODES'>): boolean =>
  (target.REDIS_CLUSTER_NODES?.length ?? 0) > 0;

/**
 * A connection for `role`: through ioredis' Cluster client when
 * REDIS_CLUSTER_NODES is set, else to the master REDIS_SENTINELS name, else to
 * REDIS_URL. A plain URL always gives a single connection.
 */
export function createRedisConnection(url: string, options: RedisConnectionOptions): Redis;
export function createRedisConnection(target: RedisTarget, options: RedisConnectionOptions): RedisClient;
export function createRedisConnection(target: string | RedisTarget, options: RedisConnectionOptions): RedisClient {
  if (typeof target === 'string') return createSingleConnection(target, options);
  if (target.REDIS_CLUSTER_NODES && isClusterTarget(target)) {
    return createClusterConnection(target.REDIS_CLUSTER_NODES, roleOptions(options), reconnectDelay);
  }
  return createSingleConnection(target.REDIS_URL, { ...options, sentinel: options.sentinel ?? sentinelTarget(target) });
}

function createSingleConnection(url: string, options: RedisConnectionOptions): Redis {
  const Client = options.writesPerTurn ? WritesPerTurnRedis : Redis;
  const clientOptions = roleOptions(options.writesPerTurn ? { ...options, autoPipelining: false } : options);
  if (options.sentinel) return new Client({ ...clientOptions, ...sentinelOptions(url, options.sentinel) });
  return new Client(url, clientOptions);
}

function roleOptions({ role, name, autoPipelining }: RedisConnectionOptions): RedisOptions {
  const common: RedisOptions = {
    connectionName: name,
    enableAutoPipelining: autoPipelining ?? false,
    retryStrategy: reconnectDelay,
    connectTimeout: 5000,
    lazyConnect: false,
  };
  return role === 'worker'
    ? { ...common, maxRetriesPerRequest: null, enableReadyCheck: true }
    : {
        ...common,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        commandTimeout: 2000,
      };
}

/** True when Redis answers PING within the timeout. */
export async function pingRedis(redis: RedisClient, timeoutMs = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('redis ping timed out')), timeoutMs);
    });
    return (await Promise.race([redis.ping(), timeout])) === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
