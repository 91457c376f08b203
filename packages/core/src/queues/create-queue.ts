import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/env-schema.js';
import { defaultJobOptions } from './job-options.js';
import type { QueueName } from './names.js';

export interface QueueContext {
  /** A constructed client: BullMQ 6 under ESM does not build its own from options. */
  connection: Redis;
  config: Config;
}

export function createQueue(name: QueueName, { connection, config }: QueueContext): Queue {
  return new Queue(name, {
    connection,
    prefix: config.QUEUE_PREFIX,
    defaultJobOptions: defaultJobOptions(name, config),
  });
}
