import { z } from 'zod';
import type { RedisClient } from '../redis.js';

/** Entries kept per message id: the newest win, so a message retried for hours cannot grow its trace forever. */
export const TRACE_MAX_ENTRIES = 100;

/** A gateway or API message id as it may appear in a key: bounded, no separators that could collide. */
export const traceMessageIdSchema = z.string().regex(/^[\w.@:+=-]{1,200}$/, {
  error: 'must be 1-200 letters, digits or . @ : + = - _',
});

export const traceEntrySchema = z
  .object({
    at: z.iso.datetime(),
    /** received, duplicate, queued-for-crm, skipped, crm-attempt, crm-error, crm-done, crm-failed, send-attempt, send-error, sent, send-failed */
    stage: z.string(),
  })
  .catchall(z.unknown());
export type TraceEntry = z.infer<typeof traceEntrySchema>;

export type TraceFields = Record<string, string | number | boolean | undefined>;

/**
 * Where one message has been, kept in Redis beside (not inside) its jobs so it
 * outlives them: a capped list per message id whose TTL is refreshed on every
 * write. Every command touches one key, so it works on Redis Cluster too.
 */
export function createMessageTrace(redis: RedisClient, prefix: string, ttlSeconds: number) {
  const key = (messageId: string) => `${prefix}:trace:${messageId}`;
  return {
    /**
     * One pipeline per message id (a cluster slot each), all sent at once: one
     * round trip in time; the entries of a call share its timestamp.
     */
    async record(messageIds: readonly string[], stage: string, fields: TraceFields = {}): Promise<void> {
      const ids = messageIds.filter((id) => traceMessageIdSchema.safeParse(id).success);
      if (ids.length === 0) return;
      const entry = JSON.stringify({ at: new Date().toISOString(), stage, ...fields });
      await Promise.all(
        ids.map((id) =>
          redis
            .pipeline()
            .rpush(key(id), entry)
            .ltrim(key(id), -TRACE_MAX_ENTRIES, -1)
            .expire(key(id), ttlSeconds)
            .exec(),
        ),
      );
    },
    /** Oldest first; empty when the id was never seen (or its trace expired). */
    async read(messageId: string): Promise<TraceEntry[]> {
      const raw = await redis.lrange(key(messageId), 0, -1);
      return raw.flatMap((s) => {
        try {
          const parsed = traceEntrySchema.safeParse(JSON.parse(s));
          return parsed.success ? [parsed.data] : [];
        } catch {
          return [];
        }
      });
    },
  };
}

export type MessageTrace = ReturnType<typeof createMessageTrace>;
