import { type Config, canonicalPhone } from '@zaprelay/core';
import type { Redis } from 'ioredis';
import type { ContactCache } from './contact-cache.js';
import type { ContactNames } from './contact-names.js';

/** What a `contact.updated` event tells us (SuperCRM's Contact). */
export interface ContactUpdate {
  id: string;
  phone: string;
  name?: string;
  updated_at?: string;
}

export type ContactUpdateOutcome = 'applied' | 'stale-contact' | 'phone-held-by-newer' | 'unordered';

// Single-key scripts (Redis Cluster): each compares-and-sets one key.
/** KEYS[1] = the contact's newest applied updated_at (ms). Applies ARGV[1] only when strictly newer. */
const NEWER_THAN_STORED = `
local stored = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) <= stored then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1`;
/** KEYS[1] = "<ms>|<contact id>" of the newest event that put this phone on a contact. */
const CLAIM_PHONE = `
local stored = redis.call('GET', KEYS[1])
if stored then
  local sep = string.find(stored, '|', 1, true)
  local at = tonumber(string.sub(stored, 1, sep - 1))
  if string.sub(stored, sep + 1) ~= ARGV[2] and at > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
return 1`;

/**
 * Applies SuperCRM's `contact.updated` in `updated_at` order: a redelivered
 * older event of a contact changes nothing, and a phone that moved to another
 * contact stays with the contact whose event is newest, whatever order the
 * events arrive in. An applied event caches phone → contact and, when the
 * name is no longer the one zaprelay wrote, leaves the name to the agents.
 */
export function createContactUpdates(deps: {
  redis: Redis;
  config: Pick<Config, 'QUEUE_PREFIX' | 'CRM_CONTACT_CACHE_TTL_SECONDS'>;
  cache: ContactCache;
  names: ContactNames;
}) {
  const { redis, config, cache, names } = deps;
  const ttl = config.CRM_CONTACT_CACHE_TTL_SECONDS;
  const versionKey = (id: string) => `${config.QUEUE_PREFIX}:crm:contact-version:${id}`;
  const phoneOwnerKey = (phone: string) => `${config.QUEUE_PREFIX}:crm:phone-owner:${canonicalPhone(phone)}`;

  return async function apply(contact: ContactUpdate): Promise<ContactUpdateOutcome> {
    const at = contact.updated_at ? Date.parse(contact.updated_at) : Number.NaN;
    if (Number.isNaN(at)) {
      // Nothing to order it by: as before, the CRM's word about the phone is cached.
      await cache.set(contact.phone, contact.id);
      return 'unordered';
    }
    if (!(await redis.eval(NEWER_THAN_STORED, 1, versionKey(contact.id), at, ttl))) return 'stale-contact';
    if (contact.name !== undefined) {
      const written = await names.written(contact.id);
      if (written && written.name !== contact.name && at > written.at) await names.giveUp(contact.id);
    }
    if (!(await redis.eval(CLAIM_PHONE, 1, phoneOwnerKey(contact.phone), at, contact.id, ttl))) {
      return 'phone-held-by-newer';
    }
    await cache.set(contact.phone, contact.id);
    return 'applied';
  };
}
export type ApplyContactUpdate = ReturnType<typeof createContactUpdates>;
