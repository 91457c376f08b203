import { type BackoffStrategy, RateLimitError, UnrecoverableError } from 'bullmq';
import { ExternalApiError } from '../errors.js';
import { BACKOFF_TYPE, backoffDelay, type RetryPolicy } from '../retry.js';

/** What a processor needs of its queue to honour a 429. */
export interface RateLimitable {
  rateLimit(expireTimeMs: number): Promise<void>;
}

/** Used when a 429 came without Retry-After. */
const DEFAULT_RATE_LIMIT_PAUSE_MS = 5000;

/**
 * Turns a failure of an external call into what BullMQ understands:
 * - permanent (4xx but 408/429) → UnrecoverableError: failed at once, kept in the failed set;
 * - rate limited (429) → the whole queue pauses for Retry-After and the job goes
 *   back to waiting without using up an attempt;
 * - anything else → rethrown, so the job's backoff applies.
 */
export async function rethrowForBullMQ(err: unknown, queue: RateLimitable): Promise<never> {
  if (err instanceof ExternalApiError) {
    if (err.kind === 'permanent') {
      // The cause stays reachable for whoever explains the failure (e.g. a `[not sent]` activity).
      const unrecoverable = new UnrecoverableError(err.message);
      unrecoverable.cause = err;
      throw unrecoverable;
    }
    if (err.kind === 'rate_limited') {
      await queue.rateLimit(err.retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS);
      throw new RateLimitError();
    }
  }
  throw err;
}

/** The worker-level `settings.backoffStrategy` for our jittered exponential backoff. */
export function backoffStrategyFor(policy: RetryPolicy): BackoffStrategy {
  return (attemptsMade, type) => {
    if (type !== BACKOFF_TYPE) return -1; // unknown type: let BullMQ fail the job loudly
    return backoffDelay(policy, attemptsMade);
  };
}

/**
 * BullMQ job ids may not contain ':'; our natural keys do (`wa-msg:instance:id`).
 * '|' keeps them readable in the dashboard.
 */
export function toJobId(key: string): string {
  return key.replaceAll(':', '|');
}
