import type { JobsOptions, KeepJobs } from 'bullmq';
import type { Config } from '../config/env-schema.js';
import { crmRetryPolicy, gatewayRetryPolicy, type RetryPolicy, retryJobOptions } from '../retry.js';
import { QUEUES, type QueueName } from './names.js';

/** Events are only normalised and fanned out locally; a few quick retries cover a Redis blip. */
const eventsRetryPolicy: RetryPolicy = { attempts: 5, delayMs: 500, factor: 2, maxDelayMs: 10_000 };

export function retryPolicyFor(queue: QueueName, config: Config): RetryPolicy {
  switch (queue) {
    case QUEUES.crm:
    case QUEUES.contactSync:
      return crmRetryPolicy(config);
    case QUEUES.outbound:
    case QUEUES.monitor:
    case QUEUES.alerts:
    case QUEUES.backfill:
      return gatewayRetryPolicy(config);
    case QUEUES.events:
      return eventsRetryPolicy;
  }
}

/** How each job is retried: stored with the job (its attempts and backoff), since its worker reads them from it. */
export function defaultJobOptions(queue: QueueName, config: Config): JobsOptions {
  return retryJobOptions(retryPolicyFor(queue, config));
}

/**
 * Completed jobs go after a while; failed jobs stay for inspection and retry
 * (FAILED_JOB_RETENTION_DAYS), never silently removed before that.
 *
 * Given to the workers (baseWorkerOptions), not to each job: BullMQ applies a worker's setting to a job that
 * has none of its own, and as a job option it was stored in every job's hash, ~75 of its ~1,550 bytes.
 * A job whose own options still name a retention (added by an earlier release) keeps it.
 */
export function jobRetention(config: Config): { removeOnComplete: KeepJobs; removeOnFail: KeepJobs } {
  return {
    removeOnComplete: { age: config.COMPLETED_JOB_RETENTION_SECONDS, count: 50_000 },
    removeOnFail: { age: config.FAILED_JOB_RETENTION_DAYS * 24 * 60 * 60 },
  };
}
