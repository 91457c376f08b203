import { Redis, type RedisOptions } from 'ioredis';
import { type SentinelTarget, sentinelOptions } from './redis-sentinel.js';

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
}

const reconnectDelay = (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2000);

export function createRedisConnection(url: string, { role, name, sentinel }: RedisConnectionOptions): Redis {
  const common: RedisOptions = {
    connectionName: name,
    retryStrategy: reconnectDelay,
    connectTimeout: 5000,
    lazyConnect: false,
  };
  const options: RedisOptions =
    role === 'worker'
      ? { ...common, maxRetriesPerRequest: null, enableReadyCheck: true }
      : {
          ...common,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          commandTimeout: 2000,
        };
  if (sentinel) return new Redis({ ...options, ...sentinelOptions(url, sentinel) });
  return new Redis(url, options);
}

/** True when Redis answers PING within the timeout. */
export async function pingRedis(redis: Redis, timeoutMs = 1000): Promise<boolean> {
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
