import type { Config } from './config/env-schema.js';
import { createRedisConnection, type RedisClient, type RedisRole } from './redis.js';

/** The connection a process's configuration asks for: REDIS_CLUSTER_NODES, REDIS_SENTINELS or REDIS_URL. */
export function connectRedis(
  config: Config,
  options: { role: RedisRole; name?: string; autoPipelining?: boolean; writesPerTurn?: boolean },
): RedisClient {
  return createRedisConnection(config, options);
}
