import { type Config, canonicalPhone } from '@zaprelay/core';
import type { Redis } from 'ioredis';

/**
 * phone → SuperCRM contact id, so that a known contact costs one request per
 * message. Keyed by the canonical form (phoneForms), so both spellings of a
 * Brazilian mobile find the same entry.
 */
export interface ContactCache {
  get(phone: string): Promise<string | undefined>;
  set(phone: string, contactId: string): Promise<void>;
  /** Forgets the mapping only if it still names `contactId` (another job may have cached a newer one). */
  forget(phone: string, contactId: string): Promise<void>;
}

export const contactCacheKey = (prefix: string, phone: string) => `${prefix}:crm:contact:${phone}`;
/** contact id → the phone it was cached under, so a contact whose phone changed leaves no stale entry behind. */
const contactPhoneKey = (prefix: string, contactId: string) => `${prefix}:crm:contact-phone:${contactId}`;

const FORGET_IF_SAME = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export function createContactCache(
  redis: Redis,
  config: Pick<Config, 'QUEUE_PREFIX' | 'CRM_CONTACT_CACHE_TTL_SECONDS'>,
): ContactCache {
  const key = (phone: string) => contactCacheKey(config.QUEUE_PREFIX, canonicalPhone(phone));
  return {
    async get(phone) {
      return (await redis.get(key(phone))) ?? undefined;
    },
    async set(anyForm, contactId) {
      const phone = canonicalPhone(anyForm);
      const phoneKey = contactPhoneKey(config.QUEUE_PREFIX, contactId);
      const previous = await redis.get(phoneKey);
      // The CRM moved this contact to another phone: messages from the old one must not land on it any more.
      if (previous && previous !== phone) await redis.eval(FORGET_IF_SAME, 1, key(previous), contactId);
      const ttl = config.CRM_CONTACT_CACHE_TTL_SECONDS;
      await redis.multi().set(key(phone), contactId, 'EX', ttl).set(phoneKey, phone, 'EX', ttl).exec();
    },
    async forget(phone, contactId) {
      await redis.eval(FORGET_IF_SAME, 1, key(phone), contactId);
    },
  };
}
