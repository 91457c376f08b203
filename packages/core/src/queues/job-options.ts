import type { JobsOptions } from 'bullmq';
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

/**
 * Completed jobs go after a while; failed jobs stay for inspection and retry
 * (FAILED_JOB_RETENTION_DAYS), never silently removed before that.
 */
export function defaultJobOptions(queue: QueueName, config: Config): JobsOptions {
  return {
    ...retryJobOptions(retryPolicyFor(queue, config)),
    removeOnComplete: { age: config.COMPLETED_JOB_RETENTION_SECONDS, count: 50_000 },
    removeOnFail: { age: config.FAILED_JOB_RETENTION_DAYS * 24 * 60 * 60 },
  };
}
