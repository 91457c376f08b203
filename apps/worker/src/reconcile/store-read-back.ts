import type { RedisClient } from '@zaprelay/core';
import {
  anyStored,
  type Config,
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
 * the same event job and the same dedupe marker, so a message that arrived
 * both ways is one event and one activity.
 */
export function createReadBackStore(deps: ReadBackDeps) {
  const markers = {
    redis: deps.redis,
    prefix: deps.config.QUEUE_PREFIX,
    ttlSeconds: deps.config.WEBHOOK_DEDUPE_TTL_SECONDS,
  };
  return {
    /** `known` when any of `alsoKnownAs` (the same message under another event, e.g. Evolution's `send.message`) is stored. */
    async store(
      event: Omit<WebhookEventJob, 'receivedAt'>,
      dedupeKey: string,
      alsoKnownAs: string[] = [],
      messageId?: string,
    ): Promise<'queued' | 'known'> {
      if (await anyStored(markers, event.source, alsoKnownAs)) return 'known';
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
      const queue = deps.eventsQueueFor(event.instance);
      const { status } = await storeOnce({ ...markers, queue }, data, dedupeKey, traced);
      return status === 'queued' ? 'queued' : 'known';
    },
  };
}

export type ReadBackStore = ReturnType<typeof createReadBackStore>;
