import { randomUUID } from 'node:crypto';
import { type Config, storeOnce, type WebhookEventJob, webhookEventJobSchema } from '@zaprelay/core';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
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
 * Stores a webhook event durably, at most once per dedupe key (core's
 * `storeOnce`: a marker that outlives the job, WEBHOOK_DEDUPE_TTL_SECONDS).
 */
export function createEventIntake(deps: { queue: Queue; redis: Redis; config: Config }) {
  const once = {
    queue: deps.queue,
    redis: deps.redis,
    prefix: deps.config.QUEUE_PREFIX,
    ttlSeconds: deps.config.WEBHOOK_DEDUPE_TTL_SECONDS,
  };

  async function store(event: EventToStore): Promise<IntakeResult> {
    const { dedupeKey, ...rest } = event;
    const data: WebhookEventJob = webhookEventJobSchema.parse({ ...rest, receivedAt: Date.now() });
    if (!dedupeKey) {
      const job = await deps.queue.add(data.event, data, { jobId: `${data.source}-${randomUUID()}` });
      return { status: 'queued', id: job.id as string };
    }
    return storeOnce(once, data, dedupeKey);
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
