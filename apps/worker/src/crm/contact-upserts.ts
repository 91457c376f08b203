import type { Config, RedisClient } from '@zaprelay/core';
import type { ContactCache } from './contact-cache.js';

/**
 * Address books are posted again on every reconnect. This keeps a replay
 * cheap: a phone whose contact is cached and whose name is the one last
 * applied costs no job and no request; a phone with an upsert already pending
 * gets no second job (BullMQ deduplication on the phone, see enqueue.ts), the
 * pending one applies the newest name it was asked for.
 */
export interface ContactUpserts {
  /** The CRM has this already: a cached contact, and no name or the one last applied. */
  unchanged(phone: string, name: string | undefined): Promise<boolean>;
  /** Remembers the newest name asked for, for the pending upsert to apply. */
  want(phone: string, name: string | undefined): Promise<void>;
  /** The newest name asked for, if any. */
  wanted(phone: string): Promise<string | undefined>;
  /** The upsert reached the CRM with this name. */
  applied(phone: string, name: string | undefined): Promise<void>;
}

export function createContactUpserts(
  redis: RedisClient,
  cache: ContactCache,
  config: Pick<Config, 'QUEUE_PREFIX' | 'CRM_CONTACT_CACHE_TTL_SECONDS'>,
): ContactUpserts {
  const appliedKey = (phone: string) => `${config.QUEUE_PREFIX}:crm:upsert-applied:${phone}`;
  const wantedKey = (phone: string) => `${config.QUEUE_PREFIX}:crm:upsert-wanted:${phone}`;
  const ttl = config.CRM_CONTACT_CACHE_TTL_SECONDS;
  return {
    async unchanged(phone, name) {
      if (!(await cache.get(phone))) return false;
      if (!name) return true;
      return (await redis.get(appliedKey(phone))) === name;
    },
    async want(phone, name) {
      if (name) await redis.set(wantedKey(phone), name, 'EX', ttl);
    },
    async wanted(phone) {
      return (await redis.get(wantedKey(phone))) ?? undefined;
    },
    async applied(phone, name) {
      if (name) await redis.set(appliedKey(phone), name, 'EX', ttl);
    },
  };
}
