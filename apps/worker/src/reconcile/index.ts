import type { RedisClient } from '@zaprelay/core';
import {
  type Config,
  configuredInstances,
  type Logger,
  type MessageTrace,
  QUEUES,
  type QueueName,
} from '@zaprelay/core';
import { createEvolutionHistoryReader, createWuzapiHistoryReader } from '@zaprelay/gateway-clients';
import type { Queue, Worker } from 'bullmq';
import { createBackfillWorker } from './backfill-worker.js';
import { ensureReconcileSchedule } from './schedule.js';
import { createSeenChats } from './seen-chats.js';
import { createReadBackStore } from './store-read-back.js';

export { createSeenChats, type SeenChats } from './seen-chats.js';

/**
 * Reconciliation from the gateways' own stores: the backfill worker
 * (`POST /api/backfill` and the schedule's runs) and the schedule itself.
 */
export async function startReconciliation(deps: {
  connection: RedisClient;
  config: Config;
  logger: Logger;
  queues: Record<QueueName, Queue>;
  /** The events shard of an instance (QUEUE_SHARDS). */
  eventsQueueFor: (instance: string) => Queue;
  trace?: MessageTrace;
}): Promise<Worker | undefined> {
  const { config, logger } = deps;
  const evolution =
    config.EVOLUTION_API_URL && config.EVOLUTION_API_KEY ? createEvolutionHistoryReader(config, logger) : undefined;
  const wuzapi = config.WUZAPI_API_URL ? createWuzapiHistoryReader(config, logger) : undefined;
  await ensureReconcileSchedule(deps.queues[QUEUES.backfill], config);
  if (!evolution && !wuzapi) return undefined;
  if (config.RECONCILE_INTERVAL_MS > 0 && configuredInstances(config).length === 0) {
    logger
      .child({ component: 'reconcile' })
      .warn('no instance is configured (EVOLUTION_INSTANCES, WUZAPI_USER_TOKENS): nothing is reconciled on schedule');
  }
  return createBackfillWorker({
    ...deps,
    backfillQueue: deps.queues[QUEUES.backfill],
    store: createReadBackStore({
      eventsQueueFor: deps.eventsQueueFor,
      redis: deps.connection,
      config,
      trace: deps.trace,
    }),
    seenChats: createSeenChats(deps.connection, config.QUEUE_PREFIX),
    evolution,
    wuzapi,
  });
}
