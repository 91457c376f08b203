import { Queue } from 'bullmq';
import type { Config } from '../config/env-schema.js';
import type { RedisClient } from '../redis.js';
import { defaultJobOptions } from './job-options.js';
import { logicalQueueOf, queuePrefix } from './layout.js';

export interface QueueContext {
  /** A constructed client: BullMQ 6 under ESM does not build its own from options. */
  connection: RedisClient;
  config: Config;
}

/** A queue of the system by its BullMQ name (a logical queue, or an events shard such as `events-2`). */
export function createQueue(name: string, { connection, config }: QueueContext): Queue {
  const logical = logicalQueueOf(name);
  if (!logical) throw new Error(`unknown queue "${name}"`);
  return new Queue(name, {
    connection,
    prefix: queuePrefix(config, name),
    defaultJobOptions: defaultJobOptions(logical, config),
  });
}
