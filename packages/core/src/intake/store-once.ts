import { createHash, randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { WebhookEventJob } from '../queues/job-schemas.js';
import type { RedisClient } from '../redis.js';
import { redisScript } from '../redis-script.js';
import { TRACE_APPEND_SCRIPT, type TraceWrite } from '../trace/message-trace.js';
import { type LegacyMarkerWindow, legacyMarkerKey } from './legacy-markers.js';

const hash = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 32);

/** The id an event is deduplicated by: the same for a webhook and for the same message read back. */
export const dedupeIdFor = (source: WebhookEventJob['source'], dedupeKey: string) => `${source}-${hash(dedupeKey)}`;

/** BullMQ's deduplication key of that id, in the queue's own keys (and hash slot). */
export const dedupeKeyIn = (queue: Queue, dedupeId: string) => queue.toKey(`de:${dedupeId}`);

export interface StoreOnceDeps {
  queue: Queue;
  redis: RedisClient;
  prefix: string;
  ttlSeconds: number;
  /** Markers of the previous release, checked first while they may be live (legacy-markers.ts). */
  legacyMarkers?: LegacyMarkerWindow;
}

/** The trace entry to write for an outcome (undefined: none); best effort, never failing the store. */
export type StoreOnceTrace = (status: 'queued' | 'duplicate', jobId: string) => TraceWrite | undefined;

/**
 * BullMQ deletes a deduplication key when the job it names is removed (the
 * dashboard's "clean", `job.remove()`), which would let the next
 * reconciliation or redelivery store the event again. So right behind the
 * add, the key is made to name `<jobId>+` instead: removal then leaves it to
 * its TTL, and a duplicate's add answers that name (never our job id).
 * The trace entry rides along where its lists share the key's node.
 * KEYS: the deduplication key, trace lists…; ARGV: job id, trace entry, entries kept, trace TTL.
 */
const KEEP_AND_TRACE = redisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1] .. '+', 'KEEPTTL')
end
for i = 2, #KEYS do
  redis.call('RPUSH', KEYS[i], ARGV[2])
  redis.call('LTRIM', KEYS[i], -tonumber(ARGV[3]), -1)
  redis.call('EXPIRE', KEYS[i], ARGV[4])
end
`);
const KEPT = /\+$/;
const traceAppend = redisScript(TRACE_APPEND_SCRIPT);

/** Sent, not awaited: a lost receipt must not delay or fail a stored event. */
function writeTrace(redis: RedisClient, trace: TraceWrite | undefined): void {
  if (!trace) return;
  for (const key of trace.keys) {
    traceAppend.run(redis, [key], [trace.entry, trace.maxEntries, trace.ttlSeconds]).catch(() => {});
  }
}

/** Sent, not awaited, like the trace: until it runs, a removed job's key could be deleted, as BullMQ alone would. */
function keepDedupeKey(deps: StoreOnceDeps, dedupeId: string, jobId: string, trace: TraceWrite | undefined): void {
  const key = dedupeKeyIn(deps.queue, dedupeId);
  // On a cluster the trace lists hash elsewhere than the queue's tag.
  const along = deps.redis.isCluster ? undefined : trace;
  KEEP_AND_TRACE.run(
    deps.redis,
    [key, ...(along?.keys ?? [])],
    [jobId, along?.entry ?? '', along?.maxEntries ?? 0, along?.ttlSeconds ?? 0],
  ).catch(() => {});
  if (!along) writeTrace(deps.redis, trace);
}

/**
 * Stores an event at most once per dedupe key; shared by the ingress (webhooks)
 * and the reconciler (messages read back from a gateway), so a message that
 * arrives both ways is one job.
 *
 * One round trip: BullMQ's add with its deduplication in throttle mode. The
 * add script sets `de:<id>` with the dedupe TTL only if it is absent, and
 * adds the job only then, atomically and in the queue's hash slot; unlike a
 * jobId or simple-mode deduplication it outlives the job (BullMQ keeps a key
 * with a TTL when its job completes). Each attempt has its own job id, so
 * the id the add answers says which happened: ours, stored; another, the
 * job that first stored the event. Then KEEP_AND_TRACE, not awaited.
 */
export async function storeOnce(
  deps: StoreOnceDeps,
  data: WebhookEventJob,
  dedupeKey: string,
  trace?: StoreOnceTrace,
): Promise<{ status: 'queued' | 'duplicate'; id: string }> {
  const dedupeId = dedupeIdFor(data.source, dedupeKey);
  if (deps.legacyMarkers?.open() && (await deps.redis.exists(legacyMarkerKey(deps.prefix, dedupeId)))) {
    writeTrace(deps.redis, trace?.('duplicate', dedupeId));
    return { status: 'duplicate', id: dedupeId };
  }
  const jobId = `${dedupeId}.${randomUUID().slice(0, 8)}`;
  const job = await deps.queue.add(data.event, data, {
    jobId,
    deduplication: { id: dedupeId, ttl: deps.ttlSeconds * 1000 },
  });
  if (job.id === jobId) {
    keepDedupeKey(deps, dedupeId, jobId, trace?.('queued', jobId));
    return { status: 'queued', id: jobId };
  }
  const first = (job.id ?? dedupeId).replace(KEPT, '');
  writeTrace(deps.redis, trace?.('duplicate', first));
  return { status: 'duplicate', id: first };
}

/** Whether any of these dedupe keys was already stored (an Evolution message may have come as `send.message`). */
export async function anyStored(
  deps: Pick<StoreOnceDeps, 'queue' | 'redis' | 'prefix' | 'legacyMarkers'>,
  source: WebhookEventJob['source'],
  dedupeKeys: string[],
): Promise<boolean> {
  if (dedupeKeys.length === 0) return false;
  const ids = dedupeKeys.map((key) => dedupeIdFor(source, key));
  const legacy = deps.legacyMarkers?.open() ?? false;
  // One EXISTS per key: old markers live outside the queue's hash slot.
  const found = await Promise.all(
    ids.flatMap((id) => [
      deps.redis.exists(dedupeKeyIn(deps.queue, id)),
      ...(legacy ? [deps.redis.exists(legacyMarkerKey(deps.prefix, id))] : []),
    ]),
  );
  return found.some((n) => n > 0);
}
