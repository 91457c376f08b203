import {
  type BackfillJob,
  type BackfillProgress,
  evolutionDedupeKey,
  type RedisClient,
  storeOnce,
  type WebhookEventJob,
  webhookEventJobSchema,
  wuzapiDedupeKey,
} from '@zaprelay/core';
import { waitFor } from '@zaprelay/test-kit';
import type { Queue } from 'bullmq';

/** Queues a reconciliation run and waits for its result (throws if it failed). */
export async function runBackfill(
  queue: Queue,
  data: Omit<BackfillJob, 'origin' | 'requestedAt'>,
  origin: BackfillJob['origin'] = 'api',
): Promise<BackfillProgress> {
  const job = await queue.add('backfill', { ...data, origin, requestedAt: Date.now() });
  return waitFor(
    `backfill ${job.id}`,
    async () => {
      const fresh = await queue.getJob(job.id as string);
      const state = await fresh?.getState();
      if (state === 'failed') throw new Error(`backfill failed: ${fresh?.failedReason}`);
      return state === 'completed' ? (fresh?.returnvalue as BackfillProgress) : undefined;
    },
    30_000,
    50,
  ) as Promise<BackfillProgress>;
}

export interface WebhookStoreDeps {
  /** The events queue (shard) the ingress would use for the instance. */
  queue: Queue;
  redis: RedisClient;
  prefix: string;
}

/** What the ingress stores for a webhook: the same job and marker (core's storeOnce), as if it had arrived. */
async function storeAsWebhook(deps: WebhookStoreDeps, event: Omit<WebhookEventJob, 'receivedAt'>, dedupeKey: string) {
  await storeOnce(
    { ...deps, ttlSeconds: 86_400 },
    webhookEventJobSchema.parse({ ...event, receivedAt: Date.now() }),
    dedupeKey,
  );
}

/** An Evolution `messages.upsert` webhook body (a test-kit fixture), stored as the ingress would. */
export function storeEvolutionWebhook(
  deps: WebhookStoreDeps,
  body: { apikey?: string | null; instance: string; data: unknown },
) {
  const { apikey: _k, ...envelope } = body;
  return storeAsWebhook(
    deps,
    { source: 'evolution', event: 'messages.upsert', instance: envelope.instance, payload: envelope },
    evolutionDedupeKey('messages.upsert', envelope.instance, envelope.data) as string,
  );
}

/** A WUZAPI `Message` webhook, under the instance as WUZAPI spells it, stored as the ingress would. */
export function storeWuzapiWebhook(deps: WebhookStoreDeps, instance: string, jsonData: Record<string, unknown>) {
  return storeAsWebhook(
    deps,
    { source: 'wuzapi', event: 'Message', instance, payload: { jsonData, instanceName: instance } },
    wuzapiDedupeKey('Message', instance, jsonData) as string,
  );
}
