import { randomUUID } from 'node:crypto';
import { createQueue, createRedisConnection, messageActivityKey, QUEUES, toJobId } from '@zaprelay/core';
import { waitFor } from '@zaprelay/test-kit';
import { testConfig } from '@zaprelay/test-kit/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { createCrmWork, crmLimiterFor } from '../src/crm/index.js';
import { createLimiterRefund } from '../src/crm/limiter-refund.js';
import { type CrmHarness, message, newPhone, startCrmHarness } from './crm-harness.js';

let h: CrmHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('CRM limiter: a job that parks for its chat gives its slot back', () => {
  it('the later message of a chat, queued first, parks without using the window; the earlier one can go at once', async () => {
    // Two requests a minute: BullMQ's limiter activates one job per ~30 s window.
    const rateLimit = { max: 2, windowMs: 60_000 };
    expect(crmLimiterFor(rateLimit.max, rateLimit.windowMs)).toEqual({ max: 1, duration: 30_300 });
    h = await startCrmHarness({ rateLimit, workers: 1 });
    const harness = h;
    const phone = newPhone();
    await harness.knownContact(phone);
    const earlier = message(phone, { timestamp: '2026-11-22T14:03:11.000Z' });
    const later = message(phone, { timestamp: '2026-11-22T14:03:12.000Z' });
    const work = createCrmWork({ crmQueue: harness.crmQueue, connection: harness.redis, config: harness.config });
    // Out of order, as two workers normalising a backlog can queue them: the later message's job is first in line.
    await harness.crmQueue.pause();
    await work.messageActivity(later);
    await work.messageActivity(earlier);
    await harness.crmQueue.resume();

    // The later message takes the window's one activation (~30 s), finds the earlier one pending and parks, handing
    // the activation back: the earlier message is sent at once, not a window later.
    await waitFor('the earlier message’s activity', () => harness.double.activities().length === 1, 10_000, 50);
    expect(harness.double.activities().map((a) => a.metadata.message_id)).toEqual([earlier.messageId]);
    // Two activations in this window, one counted: the one that sent.
    const limiterKey = harness.crmQueue.keys.limiter as string;
    expect(await harness.redis.get(limiterKey)).toBe('1');
    expect(await harness.redis.pttl(limiterKey)).toBeGreaterThan(0);
    const laterJob = await harness.crmQueue.getJob(toJobId(messageActivityKey(later)));
    expect(laterJob?.attemptsStarted).toBeGreaterThanOrEqual(1);
  }, 30_000);
});

describe('createLimiterRefund', () => {
  it('takes one activation off the window, but never lifts a manual limit nor opens a window that expired', async () => {
    const config = testConfig();
    const redis = createRedisConnection(config.REDIS_URL, { role: 'worker' });
    const queue = createQueue(QUEUES.crm, { connection: redis, config });
    const key = queue.keys.limiter as string;
    const refund = createLimiterRefund(redis, queue);
    try {
      expect(key.startsWith(config.QUEUE_PREFIX)).toBe(true);
      await redis.set(key, 3, 'PX', 10_000);
      await refund();
      expect(await redis.get(key)).toBe('2');
      expect(await redis.pttl(key)).toBeGreaterThan(0); // the window keeps its end

      // queue.rateLimit (a 429's Retry-After) stores MAX_SAFE_INTEGER: still limited after a refund.
      await queue.rateLimit(10_000);
      await refund();
      expect(Number(await redis.get(key))).toBeGreaterThan(1e15);

      await redis.del(key);
      await refund();
      expect(await redis.exists(key)).toBe(0);
      await redis.set(key, 0, 'PX', 10_000);
      await refund();
      expect(await redis.get(key)).toBe('0');
    } finally {
      await redis.del(key);
      await queue.close();
      redis.disconnect();
    }
  });

  it('refuses a queue without a limiter key', () => {
    const redis = { isCluster: false } as never;
    expect(() => createLimiterRefund(redis, { keys: { id: randomUUID() } })).toThrow(/no limiter key/);
  });
});
