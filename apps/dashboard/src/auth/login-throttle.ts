import type { RedisClient } from '@zaprelay/core';
import { RateLimiterRedis } from 'rate-limiter-flexible';

export interface LoginThrottleOptions {
  redis: RedisClient;
  /** Redis key prefix (the queue prefix): every dashboard replica shares the counts. */
  prefix: string;
  /** Wrong credentials one address may send for one user within the window before it is refused. */
  maxFailures: number;
  windowMs: number;
}

/**
 * Counts wrong credentials per (address, user) pair in Redis, with
 * rate-limiter-flexible, and refuses that pair once it made too many, until
 * its window has passed. Keyed by both, so a stranger's wrong passwords (from
 * another address) never lock the operator out, and an address guessing
 * several user names is limited for each. Only failures count; a success
 * clears the pair's count.
 *
 * Why not @fastify/rate-limit: it counts every request and cannot tell a
 * failed login from a good one before the credentials are checked.
 */
export function createLoginThrottle({ redis, prefix, maxFailures, windowMs }: LoginThrottleOptions) {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:dashboard:login-failures`,
    points: maxFailures,
    duration: Math.max(1, Math.ceil(windowMs / 1000)),
  });
  // The user name is what was typed: bounded and hashed-free but separated, so `a|b` + `c` ≠ `a` + `b|c`.
  const key = (address: string, user: string) => `${address}|${user.slice(0, 256)}`;
  return {
    /** Milliseconds until this pair may try again; 0 when it may try now. */
    async retryAfterMs(address: string, user: string): Promise<number> {
      const res = await limiter.get(key(address, user));
      return res && res.consumedPoints >= maxFailures ? Math.max(1, res.msBeforeNext) : 0;
    },
    async failed(address: string, user: string): Promise<void> {
      await limiter.penalty(key(address, user), 1);
    },
    async succeeded(address: string, user: string): Promise<void> {
      await limiter.delete(key(address, user));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
