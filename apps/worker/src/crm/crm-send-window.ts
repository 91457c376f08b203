import { randomUUID } from 'node:crypto';
import { setTimeout as sleep, setImmediate as turnOfTheLoop } from 'node:timers/promises';
import type { RedisClient } from '@zaprelay/core';
import { crmSlackMs } from './crm-limiter.js';

/**
 * One atomic step: drop what left the window, and take a slot if fewer than
 * `max` are held, else say how long until the oldest leaves. The clock is
 * Redis' own (TIME), the same for every worker on every host; one key, so
 * valid on Redis Cluster.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local windowMs = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs)
if redis.call('ZCARD', KEYS[1]) < max then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], windowMs)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + windowMs - now + 1)
`;

export interface CrmSendWindowOptions {
  redis: RedisClient;
  prefix: string;
  /** The CRM's limit: `max` requests in any `windowMs`. */
  max: number;
  windowMs: number;
  margin?: number;
  minSlackMs?: number;
}

export function crmSendWindowKey(prefix: string): string {
  return `${prefix}:crm:send-window`;
}

/**
 * The CRM's sliding window, kept at the moment a request leaves rather than
 * when BullMQ activates its job: `reserve()` resolves once this request has
 * a slot, waiting while `max` are taken. Slots are held for the window plus
 * the limiter's slack, so a request that reaches the CRM up to `slack` after
 * its reservation still counts inside its own window. A reservation older
 * than half the slack when `reserve()` returns (a stalled event loop, a slow
 * Redis) is not trusted: another is taken, and the first stays, which only
 * errs on the safe side.
 *
 * That age is checked a turn of the event loop after the reservation's
 * reply: whatever arrived in the same read (another job's contact lookup, a
 * webhook's parse) runs first, and may block the loop, before the check and
 * not between the check and the request. From the return to the request's
 * write only the caller's own promise chain runs: axios writes inside the
 * call when it has no asynchronous interceptors (the CRM client has none) and
 * its kept-alive connection is free; a new connection adds its connect.
 */
export function createCrmSendWindow(options: CrmSendWindowOptions) {
  const slackMs = crmSlackMs(options.windowMs, options.minSlackMs, options.margin);
  const heldMs = Math.ceil(options.windowMs + slackMs);
  const key = crmSendWindowKey(options.prefix);
  return {
    async reserve(): Promise<void> {
      for (;;) {
        const started = performance.now();
        const waitMs = Number(await options.redis.eval(RESERVE, 1, key, heldMs, options.max, randomUUID()));
        if (waitMs > 0) {
          await sleep(waitMs);
          continue;
        }
        await turnOfTheLoop();
        if (performance.now() - started <= slackMs / 2) return;
      }
    },
  };
}

export type CrmSendWindow = ReturnType<typeof createCrmSendWindow>;
