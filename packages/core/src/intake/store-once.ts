import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { WebhookEventJob } from '../queues/job-schemas.js';
import type { RedisClient } from '../redis.js';

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

/**
 * Stores an event at most once per dedupe key; shared by the ingress (webhooks)
 * and the reconciler (messages read back from a gateway), so a message that
 * arrives both ways is one job.
 *
 * BullMQ's own deduplication forgets an id when its job completes (simple
 * mode) and a custom jobId only while the job is kept, but a redelivery can
 * come hours later. So: a marker that outlives the job, checked first and set
 * only AFTER Redis confirmed the job. A crash between the two leaves no marker:
 * the next copy adds with the same jobId, which BullMQ ignores while that job
 * exists, and then sets the marker.
 */
export async function storeOnce(
  deps: StoreOnceDeps,
  data: WebhookEventJob,
  dedupeKey: string,
  /** Extra writes (the message trace) run beside the marker's, so they cost no round trip of their own. */
  alongside?: (status: 'queued' | 'duplicate', jobId: string) => Promise<unknown>,
): Promise<{ status: 'queued' | 'duplicate'; id: string }> {
  const jobId = dedupeJobId(data.source, dedupeKey);
  const marker = dedupeMarkerKey(deps.prefix, jobId);
  if (await deps.redis.exists(marker)) {
    await alongside?.('duplicate', jobId);
    return { status: 'duplicate', id: jobId };
  }
  await deps.queue.add(data.event, data, { jobId });
  const [first] = await Promise.all([
    deps.redis.set(marker, '1', 'EX', deps.ttlSeconds, 'NX'),
    // Written as if first: a concurrent redelivery that loses the marker race is still a receipt of this message.
    alongside?.('queued', jobId),
  ]);
  return { status: first === 'OK' ? 'queued' : 'duplicate', id: jobId };
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
