import { createHash, randomUUID } from 'node:crypto';
import { type Config, type RedisClient, type WebhookEventJob, webhookEventJobSchema } from '@zaprelay/core';
import type { Queue } from 'bullmq';
import { QueueUnavailableError } from './queue-unavailable-error.js';

export interface IntakeResult {
  status: 'queued' | 'duplicate';
  id: string;
}

export interface EventToStore extends Omit<WebhookEventJob, 'receivedAt'> {
  /**
   * What makes a redelivery recognisable (source, instance, event, message
   * id, status…); events without a natural id are not deduplicated.
   */
  dedupeKey?: string;
}

const hash = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 32);

/** Redis that has not answered within this is treated as down: answer 503 long before the sender's 30 s timeout. */
export const ENQUEUE_TIMEOUT_MS = 3000;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueueUnavailableError(`redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Stores a webhook event durably, at most once per dedupe key.
 *
 * BullMQ's own deduplication forgets an id when its job completes (simple
 * mode) and a custom jobId only while the job is kept, but a redelivery can
 * come hours later. So: a marker that outlives the job (WEBHOOK_DEDUPE_TTL_SECONDS),
 * checked first and set only AFTER Redis confirmed the job. A crash between
 * the two leaves no marker: the redelivery adds with the same jobId, which
 * BullMQ ignores while that job exists, and then sets the marker.
 */
export interface EventIntakeDeps {
  /** The events queue (shard) an instance's events go to. */
  queueFor: (instance: string) => Queue;
  redis: RedisClient;
  config: Config;
}

export function createEventIntake(deps: EventIntakeDeps) {
  const markerKey = (jobId: string) => `${deps.config.QUEUE_PREFIX}:dedupe:${jobId}`;

  async function store(event: EventToStore): Promise<IntakeResult> {
    const { dedupeKey, ...rest } = event;
    const data: WebhookEventJob = webhookEventJobSchema.parse({ ...rest, receivedAt: Date.now() });
    const queue = deps.queueFor(data.instance);
    if (!dedupeKey) {
      const job = await queue.add(data.event, data, { jobId: `${data.source}-${randomUUID()}` });
      return { status: 'queued', id: job.id as string };
    }
    const jobId = `${data.source}-${hash(dedupeKey)}`;
    const marker = markerKey(jobId);
    if (await deps.redis.exists(marker)) return { status: 'duplicate', id: jobId };
    await queue.add(data.event, data, { jobId });
    const first = await deps.redis.set(marker, '1', 'EX', deps.config.WEBHOOK_DEDUPE_TTL_SECONDS, 'NX');
    return { status: first === 'OK' ? 'queued' : 'duplicate', id: jobId };
  }

  return {
    async accept(event: EventToStore): Promise<IntakeResult> {
      try {
        return await within(store(event), ENQUEUE_TIMEOUT_MS);
      } catch (err) {
        if (err instanceof QueueUnavailableError) throw err;
        if (err instanceof Error && err.name === 'ZodError') throw err;
        throw new QueueUnavailableError(err instanceof Error ? err.message : String(err));
      }
    },
  };
}

export type EventIntake = ReturnType<typeof createEventIntake>;
