import { createHash } from 'node:crypto';
import type { RedisClient } from './redis.js';

/** A Lua script run by its SHA1 (EVALSHA). */
export interface RedisScript {
  run(redis: RedisClient, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown>;
}

/**
 * A script sent by its SHA1, and in full only when this Redis does not hold it
 * yet (NOSCRIPT: after a restart, a failover, or on a cluster node seen for
 * the first time). EVAL with the full text on every call makes Redis hash the
 * text each time and costs a write several times the size of the command; this
 * is what ioredis' defineCommand does, without adding a command to the shared
 * connection (BullMQ's scripts already live there, and each one is copied into
 * every ioredis pipeline built on it).
 */
export function redisScript(lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return {
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return redis.eval(lua, keys.length, ...keys, ...args);
      }
    },
  };
}
