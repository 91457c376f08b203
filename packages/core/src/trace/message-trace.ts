import { z } from 'zod';
import type { RedisClient } from '../redis.js';
import { redisScript } from '../redis-script.js';
import { isoTimestamp } from './iso-timestamp.js';

/** Entries kept per message id, so a message retried for hours cannot grow its trace forever. */
export const TRACE_MAX_ENTRIES = 100;
/** The first entries (received, queued, the first attempts) are kept whatever follows; the newest fill the rest. */
export const TRACE_HEAD_ENTRIES = 10;

/**
 * Lua: append `entry` to the list `key` and refresh its TTL. Past `max`
 * entries the oldest after the first `head` goes, so `received` is never lost.
 */
export const TRACE_APPEND_LUA = `
local function traceAppend(key, entry, max, head, ttl)
  local n = redis.call('RPUSH', key, entry)
  if n > max then
    local marker = 'trace-drop' -- entries are JSON objects, never this
    redis.call('LSET', key, head, marker)
    redis.call('LREM', key, 1, marker)
  end
  redis.call('EXPIRE', key, ttl)
  return n
end
`;

/**
 * One message id's list (one key, so one cluster slot): append, or with
 * ARGV[5] = '1' replace the last entry when it is the same wait (stage,
 * waitReason, jobId), counting it in `times` and keeping its first `since`:
 * a job held for an hour by an open breaker is one entry, not hundreds.
 */
const RECORD = `${TRACE_APPEND_LUA}
local entry = ARGV[1]
if ARGV[5] == '1' then
  local last = redis.call('LINDEX', KEYS[1], -1)
  if last then
    local ok, prev = pcall(cjson.decode, last)
    local new = cjson.decode(entry)
    if ok and type(prev) == 'table' and prev.stage == new.stage and prev.waitReason == new.waitReason and prev.jobId == new.jobId then
      new.since = prev.since or prev.at
      new.times = (tonumber(prev.times) or 1) + 1
      redis.call('LSET', KEYS[1], -1, cjson.encode(new))
      redis.call('EXPIRE', KEYS[1], ARGV[4])
      return 0
    end
  end
end
return traceAppend(KEYS[1], entry, tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4])
`;
const record = redisScript(RECORD);

/** A gateway or API message id as it may appear in a key: bounded, no separators that could collide. */
const TRACE_ID = /^[\w.@:+=-]{1,200}$/;
export const traceMessageIdSchema = z.string().regex(TRACE_ID, {
  error: 'must be 1-200 letters, digits or . @ : + = - _',
});

export const traceEntrySchema = z
  .object({
    at: z.iso.datetime(),
    /** received, duplicate, queued-for-crm, skipped, waiting, crm-attempt, crm-error, crm-done, crm-failed, send-attempt, send-error, sent, send-failed */
    stage: z.string(),
  })
  .catchall(z.unknown());
export type TraceEntry = z.infer<typeof traceEntrySchema>;

export type TraceFields = Record<string, string | number | boolean | undefined>;

/** One trace entry for some message ids, as written by a script of the caller's (see storeOnce). */
export interface TraceWrite {
  keys: string[];
  entry: string;
  maxEntries: number;
  headEntries: number;
  ttlSeconds: number;
}

/**
 * Where one message has been, kept in Redis beside (not inside) its jobs so it
 * outlives them: a capped list per message id whose TTL is refreshed on every
 * write. Every command touches one key, so it works on Redis Cluster too.
 */
export function createMessageTrace(redis: RedisClient, prefix: string, ttlSeconds: number) {
  const key = (messageId: string) => `${prefix}:trace:${messageId}`;
  return {
    /** What `record` would write, for a caller that writes it in its own atomic step (undefined: nothing to write). */
    entry(messageIds: readonly string[], stage: string, fields: TraceFields = {}): TraceWrite | undefined {
      const ids = messageIds.filter((id) => TRACE_ID.test(id));
      if (ids.length === 0) return undefined;
      const entry = JSON.stringify({ at: isoTimestamp(), stage, ...fields });
      return { keys: ids.map(key), entry, maxEntries: TRACE_MAX_ENTRIES, headEntries: TRACE_HEAD_ENTRIES, ttlSeconds };
    },
    /**
     * One pipeline per message id (a cluster slot each), all sent at once: one
     * round trip in time; the entries of a call share its timestamp.
     */
    async record(messageIds: readonly string[], stage: string, fields: TraceFields = {}): Promise<void> {
      const ids = messageIds.filter((id) => TRACE_ID.test(id));
      if (ids.length === 0) return;
      const entry = JSON.stringify({ at: isoTimestamp(), stage, ...fields });
      const waiting = stage === 'waiting' ? '1' : '0';
      await Promise.all(
        ids.map((id) =>
          record.run(redis, [key(id)], [entry, TRACE_MAX_ENTRIES, TRACE_HEAD_ENTRIES, ttlSeconds, waiting]),
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
