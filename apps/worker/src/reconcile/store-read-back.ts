import type { RedisClient } from '@zaprelay/core';
import {
  anyStored,
  type Config,
  createLegacyMarkerWindow,
  type MessageTrace,
  storeOnce,
  type WebhookEventJob,
  webhookEventJobSchema,
} from '@zaprelay/core';
import type { Queue } from 'bullmq';

export interface ReadBackDeps {
  /** The events shard of an instance (QUEUE_SHARDS): read-back messages go where their webhooks would. */
  eventsQueueFor: (instance: string) => Queue;
  redis: RedisClient;
  config: Pick<Config, 'QUEUE_PREFIX' | 'WEBHOOK_DEDUPE_TTL_SECONDS'>;
  /** A message queued by reconciliation is `received` on route `reconcile` (GET /api/trace/:messageId). */
  trace?: MessageTrace;
}

/**
 * A message read back from a gateway, stored like its webhook would have been:
 * the same event job and the same deduplication id, so a message that arrived
 * both ways is one event and one activity.
 */
export function createReadBackStore(deps: ReadBackDeps) {
  const { QUEUE_PREFIX: prefix, WEBHOOK_DEDUPE_TTL_SECONDS: ttlSeconds } = deps.config;
  const markers = {
    redis: deps.redis,
    prefix,
    ttlSeconds,
    legacyMarkers: createLegacyMarkerWindow(deps.redis, prefix, ttlSeconds),
  };
  return {
    /** `known` when any of `alsoKnownAs` (the same message under another event, e.g. Evolution's `send.message`) is stored. */
    async store(
      event: Omit<WebhookEventJob, 'receivedAt'>,
      dedupeKey: string,
      alsoKnownAs: string[] = [],
      messageId?: string,
    ): Promise<'queued' | 'known'> {
      const queue = deps.eventsQueueFor(event.instance);
      if (await anyStored({ ...markers, queue }, event.source, alsoKnownAs)) return 'known';
      const data = webhookEventJobSchema.parse({ ...event, receivedAt: Date.now() });
      const trace = deps.trace;
      const traced = (status: 'queued' | 'duplicate', jobId: string) =>
        status === 'queued' && messageId && trace
          ? trace.entry([messageId], 'received', {
              route: 'reconcile',
              source: event.source,
              event: event.event,
              instance: event.instance,
              jobId,
            })
          : undefined;
      const { status } = await storeOnce({ ...markers, queue }, data, dedupeKey, traced);
      return status === 'queued' ? 'queued' : 'known';
    },
  };
}

export type ReadBackStore = ReturnType<typeof createReadBackStore>;
