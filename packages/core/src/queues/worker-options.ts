import { MetricsTime, type WorkerOptions } from 'bullmq';
import type { Config } from '../config/env-schema.js';
import type { RedisClient } from '../redis.js';
import { jobRetention } from './job-options.js';
import { queuePrefix } from './layout.js';

/**
 * BullMQ (6.7) only honours a manual `queue.rateLimit()` — our answer to a
 * 429 — on a queue whose worker has a limiter, so every worker gets one;
 * queues with a real limit (CRM, optionally outbound) override it.
 */
const NO_LIMIT = { max: 1_000_000_000, duration: 1000 };

/**
 * What every worker of the system shares: the queue's prefix (with its hash tag on a cluster), stalled-job
 * recovery (a SIGKILLed worker's jobs are picked up again), BullMQ's
 * per-minute metrics (the dashboard charts them), a limiter and how long finished jobs are kept.
 */
export function baseWorkerOptions(config: Config, connection: RedisClient, queue: string): WorkerOptions {
  return {
    connection,
    prefix: queuePrefix(config, queue),
    lockDuration: config.WORKER_LOCK_DURATION_MS,
    stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: config.WORKER_MAX_STALLED_COUNT,
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    limiter: NO_LIMIT,
    ...jobRetention(config),
  };
}
