import type { RedisClient } from '../redis.js';
import { redisScript } from '../redis-script.js';
import { TRACE_APPEND_LUA, type TraceWrite } from '../trace/message-trace.js';

/** Past this many events one script call would hold Redis too long; the rest go in the next. */
const MAX_PER_CALL = 64;

/** ARGV per event. */
const FIELDS = 6;

/**
 * For each event: KEEP its deduplication key (when a job id is given and the
 * key still names it, the key is made to name `<jobId>+`; see store-once.ts),
 * then append its trace entry to each of its trace lists.
 * KEYS: per event, its deduplication key (when kept) then its trace lists.
 * ARGV: per event, job id ('' for none), number of trace lists, entry, entries kept, head kept, trace TTL.
 */
const KEEP_AND_TRACE = redisScript(`${TRACE_APPEND_LUA}
local k = 1
for a = 1, #ARGV, ${FIELDS} do
  local jobId = ARGV[a]
  if jobId ~= '' then
    if redis.call('GET', KEYS[k]) == jobId then
      redis.call('SET', KEYS[k], jobId .. '+', 'KEEPTTL')
    end
    k = k + 1
  end
  for _ = 1, tonumber(ARGV[a + 1]) do
    traceAppend(KEYS[k], ARGV[a + 2], tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), ARGV[a + 5])
    k = k + 1
  end
end
`);

interface Pending {
  keys: string[];
  args: (string | number)[];
}

/**
 * What follows a stored event, best effort and never awaited: keeping its
 * deduplication key past its job, and its trace entry. Neither may delay or
 * fail the event, which is already stored when they are asked for.
 *
 * On one Redis, the writes asked for before the next tick go as one script
 * call: under load the adds of many webhooks are answered by one read from
 * the socket, and their continuations all run before that tick; one
 * call per webhook cost the ingress about as much CPU, in Node and in Redis,
 * as the add itself. On a cluster each write goes on its own (the trace lists
 * hash elsewhere than the queue's tag).
 */
export function createAfterStoreWrites(redis: RedisClient) {
  let pending: Pending | undefined;
  let count = 0;

  function flush(): void {
    const batch = pending;
    pending = undefined;
    count = 0;
    if (batch) KEEP_AND_TRACE.run(redis, batch.keys, batch.args).catch(() => {});
  }

  const argsOf = (jobId: string, write: TraceWrite | undefined): (string | number)[] =>
    write
      ? [jobId, write.keys.length, write.entry, write.maxEntries, write.headEntries, write.ttlSeconds]
      : [jobId, 0, '', 0, 0, 0];

  /** Joins the next call, sent on the next tick (or now, when this one is full). */
  function batch(keys: string[], args: (string | number)[]): void {
    if (!pending) {
      pending = { keys: [], args: [] };
      process.nextTick(flush);
    }
    pending.keys.push(...keys);
    pending.args.push(...args);
    if (++count >= MAX_PER_CALL) flush();
  }

  /** On a cluster: one call per key, as each may live on another node. */
  function unbatched(dedupeKey: string | undefined, jobId: string, write: TraceWrite | undefined): void {
    if (dedupeKey) KEEP_AND_TRACE.run(redis, [dedupeKey], argsOf(jobId, undefined)).catch(() => {});
    if (!write) return;
    for (const key of write.keys) {
      KEEP_AND_TRACE.run(redis, [key], argsOf('', { ...write, keys: [key] })).catch(() => {});
    }
  }

  return {
    /** Keeps `dedupeKey` (naming `jobId`) past its job, and writes the trace entry if any. */
    keep(dedupeKey: string, jobId: string, write: TraceWrite | undefined): void {
      if (redis.isCluster) unbatched(dedupeKey, jobId, write);
      else batch([dedupeKey, ...(write?.keys ?? [])], argsOf(jobId, write));
    },
    /** Writes a trace entry only (a duplicate's). */
    trace(write: TraceWrite | undefined): void {
      if (!write) return;
      if (redis.isCluster) unbatched(undefined, '', write);
      else batch(write.keys, argsOf('', write));
    },
  };
}

export type AfterStoreWrites = ReturnType<typeof createAfterStoreWrites>;
