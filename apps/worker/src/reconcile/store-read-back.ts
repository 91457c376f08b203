import { anyStored, type Config, storeOnce, type WebhookEventJob, webhookEventJobSchema } from '@zaprelay/core';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface ReadBackDeps {
  eventsQueue: Queue;
  redis: Redis;
  config: Pick<Config, 'QUEUE_PREFIX' | 'WEBHOOK_DEDUPE_TTL_SECONDS'>;
}

/**
 * A message read back from a gateway, stored like its webhook would have been:
 * the same event job and the same dedupe marker, so a message that arrived
 * both ways is one event and one activity.
 */
export function createReadBackStore(deps: ReadBackDeps) {
  const once = {
    queue: deps.eventsQueue,
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
    ): Promise<'queued' | 'known'> {
      if (await anyStored(once, event.source, alsoKnownAs)) return 'known';
      const data = webhookEventJobSchema.parse({ ...event, receivedAt: Date.now() });
      const { status } = await storeOnce(once, data, dedupeKey);
      return status === 'queued' ? 'queued' : 'known';
    },
  };
}

export type ReadBackStore = ReturnType<typeof createReadBackStore>;
