import type { Redis } from 'ioredis';
import type { Config } from './config/env-schema.js';
import { createRedisConnection, type RedisRole } from './redis.js';
import { sentinelTarget } from './redis-sentinel.js';

/** The connection a process's configuration asks for: REDIS_URL, or its master through REDIS_SENTINELS. */
export function connectRedis(config: Config, options: { role: RedisRole; name?: string }): Redis {
  return createRedisConnection(config.REDIS_URL, { ...options, sentinel: sentinelTarget(config) });
}
