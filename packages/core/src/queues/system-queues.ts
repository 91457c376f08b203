import type { Queue } from 'bullmq';
import { createQueue, type QueueContext } from './create-queue.js';
import { eventsShardNames, eventsShardOf } from './layout.js';
import { ALL_QUEUES, QUEUES, type QueueName } from './names.js';

/** Every queue of the system on one connection, the events shards included. */
export interface SystemQueues {
  /** One queue per logical queue; `events` is shard 0. */
  byName: Record<QueueName, Queue>;
  /** The events shards, shard 0 first (one queue when QUEUE_SHARDS=1). */
  eventsShards: Queue[];
  /** Every BullMQ queue, shards included. */
  all: Queue[];
  /** The events shard that holds this instance's events. */
  eventsQueueFor(instance: string): Queue;
  close(): Promise<void>;
}

export function createSystemQueues(ctx: QueueContext): SystemQueues {
  const eventsShards = eventsShardNames(ctx.config.QUEUE_SHARDS).map((name) => createQueue(name, ctx));
  const byName = Object.fromEntries(
    ALL_QUEUES.map((name) => [name, name === QUEUES.events ? eventsShards[0] : createQueue(name, ctx)]),
  ) as Record<QueueName, Queue>;
  const all = [...eventsShards, ...ALL_QUEUES.filter((n) => n !== QUEUES.events).map((n) => byName[n])];
  const shardByName = new Map(eventsShards.map((q) => [q.name, q]));
  return {
    byName,
    eventsShards,
    all,
    eventsQueueFor: (instance) => shardByName.get(eventsShardOf(instance, ctx.config.QUEUE_SHARDS)) as Queue,
    async close() {
      await Promise.all(all.map((q) => q.close()));
    },
  };
}
