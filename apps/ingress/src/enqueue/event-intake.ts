import { randomUUID } from 'node:crypto';
import {
  type Config,
  createAfterStoreWrites,
  createLegacyMarkerWindow,
  type MessageTrace,
  monitorKeys,
  type RedisClient,
  type StoreOnceDeps,
  storeOnce,
  type WebhookEventJob,
} from '@zaprelay/core';
import type { Queue } from 'bullmq';
import { QueueUnavailableError } from './queue-unavailable-error.js';
import { createReplicationWait } from './replication-wait.js';

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
  /** Gateway message ids this event is about: each gets a `received` or `duplicate` trace entry. */
  traceIds?: string[];
  /** The route it came in on, for the trace. */
  route?: string;
}

/** Redis that has not answered within this is treated as down: answer 503 long before the sender's 30 s timeout. */
export const ENQUEUE_TIMEOUT_MS = 3000;

/** The store's outcome, or QueueUnavailableError after `ms`: one timer and no extra promises per webhook. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new QueueUnavailableError(`redis did not answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/**
 * Stores a webhook event durably, at most once per dedupe key (core's
 * `storeOnce`: BullMQ's deduplication kept WEBHOOK_DEDUPE_TTL_SECONDS, beyond the job).
 */
export interface EventIntakeDeps {
  /** The events queue (shard) an instance's events go to. */
  queueFor: (instance: string) => Queue;
  redis: RedisClient;
  config: Config;
  trace?: MessageTrace;
}

export function createEventIntake(deps: EventIntakeDeps) {
  const { QUEUE_PREFIX: prefix, WEBHOOK_DEDUPE_TTL_SECONDS: ttlSeconds } = deps.config;
  const legacyMarkers = createLegacyMarkerWindow(deps.redis, prefix, ttlSeconds);
  const after = createAfterStoreWrites(deps.redis);
  // One set of store deps per queue (shard), made once: not a spread and a property per webhook.
  const storeDeps = new Map<Queue, StoreOnceDeps>();
  const storeDepsFor = (queue: Queue): StoreOnceDeps => {
    let made = storeDeps.get(queue);
    if (!made) {
      made = { queue, redis: deps.redis, prefix, ttlSeconds, legacyMarkers, after };
      storeDeps.set(queue, made);
    }
    return made;
  };
  const traceFields = (event: EventToStore, data: WebhookEventJob, jobId: string) => ({
    route: event.route,
    source: data.source,
    event: data.event,
    instance: data.instance,
    jobId,
  });
  const stage = (status: IntakeResult['status']) => (status === 'queued' ? 'received' : 'duplicate');
  /** Best effort: a lost trace entry must not turn a stored event into a 503. */
  const traced = (event: EventToStore, data: WebhookEventJob, status: IntakeResult['status'], jobId: string) =>
    event.traceIds?.length && deps.trace
      ? deps.trace.record(event.traceIds, stage(status), traceFields(event, data, jobId)).catch(() => {})
      : Promise.resolve();
  const replicated = deps.config.REDIS_WAIT_REPLICAS > 0 ? createReplicationWait(deps.redis, deps.config) : undefined;

  async function store(event: EventToStore): Promise<IntakeResult> {
    const { dedupeKey } = event;
    // Built from parts the routes validated, and typed by the job's schema; the events worker parses it.
    const data: WebhookEventJob = {
      source: event.source,
      event: event.event,
      instance: event.instance,
      auth: event.auth,
      payload: event.payload,
      receivedAt: Date.now(),
    };
    const queue = deps.queueFor(data.instance);
    if (!dedupeKey) {
      const job = await queue.add(data.event, data, { jobId: `${data.source}-${randomUUID()}` });
      await traced(event, data, 'queued', job.id as string);
      return { status: 'queued', id: job.id as string };
    }
    const trace = deps.trace;
    return storeOnce(
      storeDepsFor(queue),
      data,
      dedupeKey,
      event.traceIds?.length && trace
        ? (status, jobId) => trace.entry(event.traceIds ?? [], stage(status), traceFields(event, data, jobId))
        : undefined,
    );
  }

  const refusedKey = (source: string) => monitorKeys(deps.config.QUEUE_PREFIX).refused(source);
  return {
    /**
     * Counts a 401 for the workers' alert check. Not awaited by the caller and
     * never failing: a refusal must stay a quick 401 whatever Redis does.
     */
    refused(source: 'evolution' | 'wuzapi' | 'supercrm'): void {
      deps.redis
        .pipeline()
        .incr(refusedKey(source))
        .expire(refusedKey(source), 24 * 60 * 60)
        .exec()
        .catch(() => {});
    },
    async accept(event: EventToStore): Promise<IntakeResult> {
      try {
        // A duplicate waits too: its first delivery may have been answered 503 before it was replicated.
        const stored = replicated ? store(event).then((result) => replicated().then(() => result)) : store(event);
        return await within(stored, ENQUEUE_TIMEOUT_MS);
      } catch (err) {
        if (err instanceof QueueUnavailableError) throw err;
        throw new QueueUnavailableError(err instanceof Error ? err.message : String(err));
      }
    },
  };
}

export type EventIntake = ReturnType<typeof createEventIntake>;
