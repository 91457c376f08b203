import type { Config } from '@zaprelay/core';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * The name zaprelay last wrote on each contact (SuperCRM's `name` belongs to
 * the agents: an integration may change it only while it still holds what the
 * integration itself wrote). No entry: not ours to change.
 */
export interface ContactNames {
  written(contactId: string): Promise<WrittenName | undefined>;
  /** `at`: the contact's `updated_at` our write gave it (ms), to tell our own `contact.updated` echo from later edits. */
  remember(contactId: string, name: string, at: number): Promise<void>;
  /** The agent renamed it: from now on zaprelay leaves the name alone. */
  giveUp(contactId: string): Promise<void>;
}

const writtenNameSchema = z.object({ name: z.string(), at: z.number() });
export type WrittenName = z.infer<typeof writtenNameSchema>;

export const contactNameKey = (prefix: string, contactId: string) => `${prefix}:crm:contact-name:${contactId}`;

export function createContactNames(redis: Redis, config: Pick<Config, 'QUEUE_PREFIX'>): ContactNames {
  const key = (contactId: string) => contactNameKey(config.QUEUE_PREFIX, contactId);
  return {
    async written(contactId) {
      const raw = await redis.get(key(contactId));
      if (!raw) return undefined;
      try {
        const parsed = writtenNameSchema.safeParse(JSON.parse(raw));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined; // unreadable: treated as not ours, the safe side for an agent's name
      }
    },
    async remember(contactId, name, at) {
      await redis.set(key(contactId), JSON.stringify({ name, at } satisfies WrittenName));
    },
    async giveUp(contactId) {
      await redis.del(key(contactId));
    },
  };
}
