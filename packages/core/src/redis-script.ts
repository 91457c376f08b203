import { createHash } from 'node:crypto';
import type { RedisClient } from './redis.js';

/** A Lua script run by its SHA1 (EVALSHA). */
export interface RedisScript {
  /** Sends the script before it returns: a command written next on the same connection runs after it. */
  run(redis: RedisClient, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown>;
}

/**
 * A script sent by its SHA1 once this connection has sent its text (EVAL)
 * since it last (re)connected. EVAL with the full text on every call makes
 * Redis hash the text each time and costs a write several times the size of
 * the command. A NOSCRIPT (a SCRIPT FLUSH, or a cluster node this connection
 * had not sent it to) is answered by sending the text: that one call then runs
 * after commands written behind it.
 *
 * Not ioredis' defineCommand: on an auto-pipelined connection, a command
 * defined after the pending pipeline was built is missing from it, and the
 * failed call breaks that whole pipeline's replies.
 */
export function redisScript(lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  /** Connections that sent the text since their last (re)connection. */
  const sent = new WeakSet<object>();
  const watched = new WeakSet<object>();
  const evalFull = (redis: RedisClient, keys: readonly string[], args: ReadonlyArray<string | number>) =>
    redis.eval(lua, keys.length, ...keys, ...args);
  return {
    run(redis, keys, args) {
      if (!watched.has(redis)) {
        watched.add(redis);
        redis.on('ready', () => sent.delete(redis));
      }
      if (!sent.has(redis)) {
        sent.add(redis);
        return evalFull(redis, keys, args);
      }
      return redis.evalsha(sha, keys.length, ...keys, ...args).catch((err: unknown) => {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return evalFull(redis, keys, args);
      });
    },
  };
}
