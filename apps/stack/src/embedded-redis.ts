import { join } from 'node:path';
import { redisMemoryArgs } from '@zaprelay/core';
import { hasRedisServerBinary, type LocalRedis, startRedisServer } from '@zaprelay/test-kit';

/**
 * A local redis-server for `pnpm start` when REDIS_URL is unset. Data is kept
 * (append-only file) under .data/redis so a restart loses nothing; with the
 * memory settings the compose files give Redis.
 */
export async function startEmbeddedRedis(dataDir: string): Promise<LocalRedis> {
  if (!hasRedisServerBinary()) {
    throw new Error(
      'REDIS_URL is not set and no `redis-server` is on PATH. Install Redis (e.g. `apt-get install redis-server`) or set REDIS_URL.',
    );
  }
  return startRedisServer({ dir: join(dataDir, 'redis'), persist: true, settings: redisMemoryArgs() });
}
