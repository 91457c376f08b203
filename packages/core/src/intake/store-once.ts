import { createHash } from 'node:crypto';
import { Job, type Queue } from 'bullmq';
import type { WebhookEventJob } from '../queues/job-schemas.js';
import type { RedisClient } from '../redis.js';
import { TRACE_APPEND_SCRIPT, type TraceWrite } from '../trace/message-trace.js';

const hash = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 32);

/** The events-queue job id of a deduplicated event: the same for a webhook and for the same message read back. */
export const dedupeJobId = (source: WebhookEventJob['source'], dedupeKey: string) => `${source}-${hash(dedupeKey)}`;

/** The marker that says "this event is already stored"; one single-key string per event. */
export const dedupeMarkerKey = (prefix: string, jobId: string) => `${prefix}:dedupe:${jobId}`;

export interface StoreOnceDeps {
  queue: Queue;
  redis: RedisClient;
  prefix: string;
  ttlSeconds: number;
}

/** The trace entry to write for an outcome (undefined: none); best effort, never failing the store. */
export type StoreOnceTrace = (status: 'queued' | 'duplicate', jobId: string) => TraceWrite | undefined;

/**
 * Sets the marker only if the job is in Redis, and writes the receipt beside
 * it. Sent in the same write right after the add, so Redis runs it after the
 * add: a job that was not stored gets no marker. -1: no job (the add failed,
 * or a worker already finished and removed it in between).
 * KEYS: job hash, marker, trace lists…; ARGV: marker TTL, trace entry, entries kept, trace TTL.
 */
const MARK_IF_STORED = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local first = redis.call('SET', KEYS[2], '1', 'EX', ARGV[1], 'NX')
for i = 3, #KEYS do
  redis.call('RPUSH', KEYS[i], ARGV[2])
  redis.call('LTRIM', KEYS[i], -tonumber(ARGV[3]), -1)
  redis.call('EXPIRE', KEYS[i], ARGV[4])
end
if first then return 1 end
return 0
`;

const writeTrace = (redis: RedisClient, trace: TraceWrite | undefined): Promise<unknown> =>
  trace
    ? Promise.all(
        trace.keys.map((key) =>
          redis.eval(TRACE_APPEND_SCRIPT, 1, key, trace.entry, trace.maxEntries, trace.ttlSeconds),
        ),
      ).catch(() => {})
    : Promise.resolve();

/**
 * Stores an event at most once per dedupe key; shared by the ingress (webhooks)
 * and the reconciler (messages read back from a gateway), so a message that
 * arrives both ways is one job.
 *
 * BullMQ's own deduplication forgets an id when its job completes (simple
 * mode) and a custom jobId only while the job is kept, but a redelivery can
 * come hours later. So: a marker that outlives the job, checked first and set
 * only once Redis holds the job. A crash between the two leaves no marker:
 * the next copy adds with the same jobId, which BullMQ ignores while that job
 * exists, and then sets the marker.
 *
 * Two round trips on one Redis (the check; then the add and, right behind it,
 * the marker with the trace entry); on Redis Cluster the job and the
 * marker live in different slots, so the marker waits for the add's answer.
 */
export async function storeOnce(
  deps: StoreOnceDeps,
  data: WebhookEventJob,
  dedupeKey: string,
  trace?: StoreOnceTrace,
): Promise<{ status: 'queued' | 'duplicate'; id: string }> {
  const jobId = dedupeJobId(data.source, dedupeKey);
  const marker = dedupeMarkerKey(deps.prefix, jobId);
  if (await deps.redis.exists(marker)) {
    await writeTrace(deps.redis, trace?.('duplicate', jobId));
    return { status: 'duplicate', id: jobId };
  }
  // Written as if first: a concurrent redelivery that loses the marker race is still a receipt of this message.
  const received = trace?.('queued', jobId);
  if (!deps.redis.isCluster) {
    const marked = await addAndMark(deps, data, jobId, marker, received);
    if (marked >= 0) return { status: marked === 1 ? 'queued' : 'duplicate', id: jobId };
  } else {
    await deps.queue.add(data.event, data, { jobId });
  }
  const [first] = await Promise.all([
    deps.redis.set(marker, '1', 'EX', deps.ttlSeconds, 'NX'),
    writeTrace(deps.redis, received),
  ]);
  return { status: first === 'OK' ? 'queued' : 'duplicate', id: jobId };
}

/**
 * The add, then MARK_IF_STORED written right behind it on the same connection
 * (Redis runs them in that order); MARK_IF_STORED's answer. Not an ioredis
 * pipeline: building one copies every script BullMQ defined on the client,
 * which costs more than the round trip it saves.
 */
async function addAndMark(
  deps: StoreOnceDeps,
  data: WebhookEventJob,
  jobId: string,
  marker: string,
  trace: TraceWrite | undefined,
): Promise<number> {
  const { queue } = deps;
  // BullMQ's client is the connection it was given (ours), with its scripts defined on it.
  const client = await queue.backend.client;
  // What Queue.add does; Job.addJob sends its command before its first await, so the mark goes after it.
  const job = new Job(queue, data.event, data, { ...queue.defaultJobOptions, jobId }, jobId);
  const added = job.addJob(client);
  const marked = (client as unknown as RedisClient)
    .eval(
      MARK_IF_STORED,
      2 + (trace?.keys.length ?? 0),
      queue.toKey(jobId),
      marker,
      ...(trace?.keys ?? []),
      deps.ttlSeconds,
      trace?.entry ?? '',
      trace?.maxEntries ?? 0,
      trace?.ttlSeconds ?? 0,
    )
    .then(Number, () => -1);
  await added;
  return marked;
}

/** Whether any of these dedupe keys was already stored (an Evolution message may have come as `send.message`). */
export async function anyStored(
  deps: Pick<StoreOnceDeps, 'redis' | 'prefix'>,
  source: WebhookEventJob['source'],
  dedupeKeys: string[],
): Promise<boolean> {
  if (dedupeKeys.length === 0) return false;
  // One EXISTS per key: the markers may live on different Cluster slots.
  const found = await Promise.all(
    dedupeKeys.map((key) => deps.redis.exists(dedupeMarkerKey(deps.prefix, dedupeJobId(source, key)))),
  );
  return found.some((n) => n > 0);
}
