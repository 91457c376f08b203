import { createHash } from 'node:crypto';
import type { Config } from '../config/env-schema.js';
import { isClusterTarget } from '../redis.js';
import { ALL_QUEUES, QUEUES, type QueueName } from './names.js';

/** What decides where a queue's keys live. */
export type LayoutConfig = Pick<Config, 'QUEUE_PREFIX' | 'QUEUE_SHARDS' | 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>;

/**
 * The hash tag of each queue on a Redis Cluster. BullMQ's scripts touch
 * every key of a queue at once, so a queue lives in one slot; a contact sync
 * is a flow whose parent (contact-sync) and children (crm) are updated by one
 * script, so those two share a tag. Every other queue gets its own, which
 * spreads them over the masters.
 */
const CLUSTER_TAG: Record<QueueName, string> = {
  [QUEUES.events]: QUEUES.events,
  [QUEUES.crm]: QUEUES.crm,
  [QUEUES.contactSync]: QUEUES.crm,
  [QUEUES.outbound]: QUEUES.outbound,
  [QUEUES.monitor]: QUEUES.monitor,
  [QUEUES.alerts]: QUEUES.alerts,
  [QUEUES.backfill]: QUEUES.backfill,
};

/**
 * The BullMQ names of the events shards. Shard 0 keeps the plain name, so
 * raising QUEUE_SHARDS never strands the jobs already waiting in `events`.
 */
export function eventsShardNames(shards: number): string[] {
  return Array.from({ length: shards }, (_, i) => (i === 0 ? QUEUES.events : `${QUEUES.events}-${i}`));
}

/**
 * The shard of an instance: a stable hash of its lower-cased name, the same
 * in every process and across restarts, so one instance's events stay in
 * one queue, in order.
 */
export function eventsShardOf(instance: string, shards: number): string {
  if (shards <= 1) return QUEUES.events;
  const names = eventsShardNames(shards);
  const digest = createHash('sha1').update(instance.toLowerCase()).digest();
  return names[digest.readUInt32BE(0) % names.length] as string;
}

/** The logical queue a BullMQ queue name belongs to (`events-2` → `events`). */
export function logicalQueueOf(name: string): QueueName | undefined {
  if (/^events-\d+$/.test(name)) return QUEUES.events;
  return (ALL_QUEUES as string[]).includes(name) ? (name as QueueName) : undefined;
}

/**
 * The BullMQ prefix of a queue. On one Redis it is QUEUE_PREFIX itself (keys
 * as before); on a cluster it also carries the queue's hash tag — unless
 * QUEUE_PREFIX already holds one, which then pins every queue to its slot.
 * Keys always start with `QUEUE_PREFIX:`.
 */
export function queuePrefix(config: LayoutConfig, name: string): string {
  if (!isClusterTarget(config)) return config.QUEUE_PREFIX;
  const logical = logicalQueueOf(name);
  const tag = logical === QUEUES.events || logical === undefined ? name : CLUSTER_TAG[logical];
  return `${config.QUEUE_PREFIX}:{${tag}}`;
}

/** Every BullMQ queue of a logical queue: the events shards, or the one queue. */
export function physicalQueues(config: Pick<Config, 'QUEUE_SHARDS'>, logical: QueueName): string[] {
  return logical === QUEUES.events ? eventsShardNames(config.QUEUE_SHARDS) : [logical];
}

/** Every BullMQ queue of the system, shards included. */
export function allPhysicalQueues(config: Pick<Config, 'QUEUE_SHARDS'>): string[] {
  return ALL_QUEUES.flatMap((q) => physicalQueues(config, q));
}
