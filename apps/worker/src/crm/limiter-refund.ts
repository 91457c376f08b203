import { type RedisClient, redisScript } from '@zaprelay/core';
import type { Queue } from 'bullmq';

/**
 * Gives back the limiter slot of an activation that sent nothing: a job that
 * found an earlier message of its chat pending and parked itself (chat-order.ts).
 *
 * BullMQ's limiter counts activations, not requests. When a chat's jobs reach
 * the queue out of order (several workers normalising a backlog at once, or a
 * woken head promoted behind the rest of the queue), every later message of
 * the chat is activated, parks and is activated again: at 6,000 requests a
 * minute with 4 workers that left a quarter of the plan used. The CRM's limit
 * is kept by the send window (crm-send-window.ts), not by this counter, so
 * handing the slot back cannot send more than the plan; it only lets another
 * job be activated in the same window, in priority order as before.
 *
 * The counter is the one BullMQ's moveToActive increments
 * (`queue.keys.limiter`, one key in the queue's slot). A manual limit
 * (`queue.rateLimit`, on a 429) stores MAX_SAFE_INTEGER there, so a refund
 * cannot lift it; an expired window is not recreated.
 */
const REFUND = redisScript(`
local n = tonumber(redis.call('GET', KEYS[1]))
if n and n > 0 then return redis.call('DECR', KEYS[1]) end
return -1
`);

export type LimiterRefund = () => Promise<void>;

export function createLimiterRefund(redis: RedisClient, queue: Pick<Queue, 'keys'>): LimiterRefund {
  const key = queue.keys.limiter;
  if (!key) throw new Error('limiter refund: the queue has no limiter key');
  return async () => {
    await REFUND.run(redis, [key], []);
  };
}
