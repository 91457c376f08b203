import { hash, randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { WebhookEventJob } from '../queues/job-schemas.js';
import type { RedisClient } from '../redis.js';
import type { TraceWrite } from '../trace/message-trace.js';
import { type AfterStoreWrites, createAfterStoreWrites } from './after-store-writes.js';
import { type LegacyMarkerWindow, legacyMarkerKey } from './legacy-markers.js';

/** One-shot hashing: a third of the cost of a Hash object for a key this short. */
const digestOf = (s: string) => hash('sha256', s, 'base64url').slice(0, 32);

/** The id an event is deduplicated by: the same for a webhook and for the same message read back. */
export const dedupeIdFor = (source: WebhookEventJob['source'], dedupeKey: string) => `${source}-${digestOf(dedupeKey)}`;

/** BullMQ's deduplication key of that id, in the queue's own keys (and hash slot). */
export const dedupeKeyIn = (queue: Queue, dedupeId: string) => queue.toKey(`de:${dedupeId}`);

export interface StoreOnceDeps {
  queue: Queue;
  redis: RedisClient;
  prefix: string;
  ttlSeconds: number;
  /** Markers of the previous release, checked first while they may be live (legacy-markers.ts). */
  legacyMarkers?: LegacyMarkerWindow;
  /** Shared by a process' stores so their follow-up writes are batched (default: one of its own per call). */
  after?: AfterStoreWrites;
}

/** The trace entry to write for an outcome (undefined: none); best effort, never failing the store. */
export type StoreOnceTrace = (status: 'queued' | 'duplicate', jobId: string) => TraceWrite | undefined;

/**
 * The job a deduplication key names. BullMQ writes the job id, which we then
 * keep as `<jobId>+`. Job ids of this release hold a dot (`<tag>.<n>`), as did
 * `<dedupeId>.<attempt>` ids of earlier ones; the release before this one kept
 * only the attempt (`<attempt>+`, no dot), whose job was `<dedupeId>.<attempt>`.
 */
function jobNamedBy(value: string, dedupeId: string): string {
  const id = value.endsWith('+') ? value.slice(0, -1) : value;
  return id.includes('.') ? id : `${dedupeId}.${id}`;
}

/**
 * A new job id: a random tag per process and a counter, `<tag>.<n>`, unique
 * without naming the dedupe id (BullMQ keeps that in the job as `deid`). An
 * id is written four times per event (the job's key, its options, the wait
 * list, the trace), so `<dedupeId>.<attempt>` (55 characters) cost ~160 bytes
 * of Redis more per event than this (~15). 64 random bits: two processes
 * sharing a tag, whose jobs would then collide, is a 1 in 2^64 chance per pair.
 */
const processTag = randomBytes(8).toString('base64url');
let attempts = 0;
const nextJobId = () => `${processTag}.${(attempts++).toString(36)}`;

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
 * job that first stored the event.
 *
 * BullMQ deletes a deduplication key when the job it names is removed (the
 * dashboard's "clean", `job.remove()`), which would let the next
 * reconciliation or redelivery store the event again. So right behind the
 * add, not awaited, the key is made to name `<jobId>+` instead
 * (after-store-writes.ts): removal then leaves it to its TTL, and a
 * duplicate's add answers that name (never our job id).
 */
export async function storeOnce(
  deps: StoreOnceDeps,
  data: WebhookEventJob,
  dedupeKey: string,
  trace?: StoreOnceTrace,
): Promise<{ status: 'queued' | 'duplicate'; id: string }> {
  const after = deps.after ?? createAfterStoreWrites(deps.redis);
  const dedupeId = dedupeIdFor(data.source, dedupeKey);
  if (deps.legacyMarkers?.open() && (await deps.redis.exists(legacyMarkerKey(deps.prefix, dedupeId)))) {
    after.trace(trace?.('duplicate', dedupeId));
    return { status: 'duplicate', id: dedupeId };
  }
  const jobId = nextJobId();
  const job = await deps.queue.add(data.event, data, {
    jobId,
    deduplication: { id: dedupeId, ttl: deps.ttlSeconds * 1000 },
  });
  if (job.id === jobId) {
    after.keep(dedupeKeyIn(deps.queue, dedupeId), jobId, trace?.('queued', jobId));
    return { status: 'queued', id: jobId };
  }
  const first = job.id ? jobNamedBy(job.id, dedupeId) : dedupeId;
  after.trace(trace?.('duplicate', first));
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
