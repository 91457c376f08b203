import type { Config } from './config/env-schema.js';

export interface RetryPolicy {
  attempts: number;
  delayMs: number;
  factor: number;
  maxDelayMs: number;
}

/** Name of our custom backoff, registered in each worker's `settings.backoffStrategy`. */
export const BACKOFF_TYPE = 'jittered-exponential';

export function crmRetryPolicy(config: Config): RetryPolicy {
  return {
    attempts: config.SUPER_CRM_RETRY_MAX_ATTEMPTS,
    delayMs: config.SUPER_CRM_RETRY_DELAY_MS,
    factor: config.SUPER_CRM_RETRY_BACKOFF_FACTOR,
    maxDelayMs: config.SUPER_CRM_RETRY_MAX_DELAY_MS,
  };
}

export function gatewayRetryPolicy(config: Config): RetryPolicy {
  return {
    attempts: config.EVOLUTION_RETRY_MAX_ATTEMPTS,
    delayMs: config.EVOLUTION_RETRY_DELAY_MS,
    factor: config.EVOLUTION_RETRY_BACKOFF_FACTOR,
    maxDelayMs: config.EVOLUTION_RETRY_MAX_DELAY_MS,
  };
}

/**
 * delay · factor^(n-1), capped, with ±20 % jitter so that jobs failed by the
 * same outage do not all come back in the same instant.
 */
export function backoffDelay(policy: RetryPolicy, attemptsMade: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, attemptsMade - 1);
  const base = Math.min(policy.maxDelayMs, policy.delayMs * policy.factor ** exponent);
  const jittered = base * (0.8 + 0.4 * random());
  return Math.round(Math.min(policy.maxDelayMs, jittered));
}

/** Job options that make BullMQ use the policy. */
export function retryJobOptions(policy: RetryPolicy) {
  return { attempts: policy.attempts, backoff: { type: BACKOFF_TYPE, delay: policy.delayMs } };
}
