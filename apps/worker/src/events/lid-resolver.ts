import type { RedisClient } from '@zaprelay/core';
import { type InternalMessage, type Logger, monitorKeys } from '@zaprelay/core';

/**
 * Newer WhatsApp names some people by an `@lid` identity instead of their
 * phone. Most events carry both (Evolution's remoteJidAlt/senderPn, WUZAPI's
 * SenderAlt/RecipientAlt); each pair seen is kept, so a later message from
 * that chat without its phone still lands on the right contact. A message
 * whose pair is not known yet waits, visibly (warn log, a metric and a count
 * on the status page, both read from one hash), and is queued as soon as any
 * event teaches the pair.
 */
export interface LidResolver {
  /** Remembers lid → phone, and queues the messages that were waiting for it. */
  learn(lid: string, phone: string): Promise<void>;
  /** Queues the message with its phone if the pair is known; else keeps it waiting. */
  resolve(lid: string, message: Omit<InternalMessage, 'phone'>): Promise<'queued' | 'waiting'>;
}

/** A pair stays valid as long as the person keeps their number; a year covers every replay. */
const PAIR_TTL_SECONDS = 365 * 24 * 60 * 60;

export function createLidResolver(deps: {
  redis: RedisClient;
  prefix: string;
  logger: Logger;
  /** Queues a message's CRM activity (the events worker's CrmWork.messageActivity). */
  enqueue(message: InternalMessage): Promise<void>;
}): LidResolver {
  const { redis } = deps;
  const pairKey = (lid: string) => `${deps.prefix}:lid:phone:${lid}`;
  const waitingKey = monitorKeys(deps.prefix).lidWaiting;
  const field = (lid: string, messageId: string) => `${lid}\n${messageId}`;

  async function drain(lid: string, phone: string) {
    // HSCAN's MATCH is a glob: escape what a JID could hold of it.
    const pattern = `${lid.replace(/[*?[\]\\]/g, '\\$&')}\n*`;
    const waiting: Array<{ field: string; message: InternalMessage }> = [];
    let cursor = '0';
    do {
      const [next, entries] = await redis.hscan(waitingKey, cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      for (let i = 0; i < entries.length; i += 2) {
        waiting.push({ field: entries[i] as string, message: { ...JSON.parse(entries[i + 1] as string), phone } });
      }
    } while (cursor !== '0');
    // In the order sent, so the chat's order (crm/chat-order.ts) numbers them right.
    waiting.sort((a, b) => Date.parse(a.message.timestamp) - Date.parse(b.message.timestamp));
    for (const { field, message } of waiting) {
      await deps.enqueue(message);
      await redis.hdel(waitingKey, field);
      deps.logger.info({ lid, messageId: message.messageId }, '@lid message queued: its phone is now known');
    }
  }

  return {
    async learn(lid, phone) {
      const previous = await redis.set(pairKey(lid), phone, 'EX', PAIR_TTL_SECONDS, 'GET');
      if (previous !== phone) await drain(lid, phone);
    },

    async resolve(lid, message) {
      const phone = await redis.get(pairKey(lid));
      if (phone) {
        await deps.enqueue({ ...message, phone });
        return 'queued';
      }
      // A legacy WUZAPI webhook's user token stays out of Redis (the CRM worker takes it from config).
      const { userToken: _secret, ...kept } = message;
      await redis.hset(waitingKey, field(lid, message.messageId), JSON.stringify(kept));
      deps.logger.warn(
        { lid, messageId: message.messageId, instance: message.instance },
        '@lid message without its phone: waiting until an event tells which phone this lid is',
      );
      // The pair may have been learned between the lookup and the write.
      const learned = await redis.get(pairKey(lid));
      if (learned) await drain(lid, learned);
      return 'waiting';
    },
  };
}
