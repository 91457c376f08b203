import { createHash } from 'node:crypto';
import type { RedisClient } from './redis.js';

type Arg = string | number | undefined;

/**
 * A Lua script run by its SHA (EVALSHA), loaded with EVAL only when Redis
 * answers NOSCRIPT (a restart, a failover, another cluster node). `eval` with
 * the source sends and hashes the whole script on every call, which on hot
 * paths cost more than the commands inside it.
 */
export function createLuaScript(source: string) {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    async run(redis: RedisClient, keys: string[], args: Arg[]): Promise<unknown> {
      const argv = args.map((a) => (a === undefined ? '' : a));
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...argv);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return redis.eval(source, keys.length, ...keys, ...argv);
      }
    },
  };
}

export type LuaScript = ReturnType<typeof createLuaScript>;
