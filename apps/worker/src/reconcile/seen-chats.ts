import { instanceKey, type RedisClient } from '@zaprelay/core';

/** Chats older than this are not re-read: WUZAPI's history has no time filter, each chat costs a request. */
const REMEMBER_MS = 30 * 24 * 60 * 60 * 1000;
/** Most chats one run reads (the most recently active). */
export const MAX_CHATS_PER_RUN = 2000;

/**
 * The WUZAPI chats an instance had messages in (a sorted set scored by last
 * activity, one single-key command each): WUZAPI's history is per chat and it
 * has no "list chats", so reconciliation reads the chats seen in events.
 */
export function createSeenChats(redis: RedisClient, prefix: string) {
  // WUZAPI's webhooks spell the instance their way, the schedule as WUZAPI_USER_TOKENS (lower case): one key for both.
  const key = (instance: string) => `${prefix}:seen-chats:wuzapi:${instanceKey(instance)}`;
  return {
    async seen(instance: string, chatJid: string, at = Date.now()): Promise<void> {
      await redis.zadd(key(instance), at, chatJid);
    },
    /** Most recent first; forgets chats idle for longer than REMEMBER_MS. */
    async recent(instance: string, now = Date.now()): Promise<string[]> {
      await redis.zremrangebyscore(key(instance), '-inf', now - REMEMBER_MS);
      return redis.zrevrange(key(instance), 0, MAX_CHATS_PER_RUN - 1);
    },
  };
}

export type SeenChats = ReturnType<typeof createSeenChats>;
