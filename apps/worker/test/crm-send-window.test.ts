import { createRedisConnection } from '@zaprelay/core';
import { maxInAnyWindow } from '@zaprelay/test-kit';
import { testRedisUrl, uniquePrefix } from '@zaprelay/test-kit/vitest';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createCrmSendWindow, crmSendWindowKey } from '../src/crm/crm-send-window.js';

describe('the CRM send window: a slot reserved in Redis right before each request', () => {
  const prefix = uniquePrefix('send-window');
  const connections: Redis[] = Array.from({ length: 3 }, () =>
    createRedisConnection(testRedisUrl(), { role: 'worker' }),
  );
  afterAll(async () => {
    await connections[0]?.del(crmSendWindowKey(prefix));
    for (const c of connections) c.disconnect();
  });

  it('across processes, never more than max slots in any window (plus slack); the rest wait their turn', async () => {
    const max = 4;
    const windowMs = 300;
    const windows = connections.map((redis) =>
      createCrmSendWindow({ redis, prefix, max, windowMs, margin: 0, minSlackMs: 50 }),
    );
    const started = performance.now();
    const granted = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        await windows[i % windows.length]?.reserve();
        return performance.now() - started;
      }),
    );
    // 12 slots, 4 per 350 ms: the last ones cannot be granted before two windows went by.
    expect(Math.max(...granted)).toBeGreaterThanOrEqual(2 * windowMs);
    expect(maxInAnyWindow(granted, windowMs)).toBeLessThanOrEqual(max);
  });

  it('a reservation is still fresh when reserve() returns, though a callback run after its reply blocked the loop', async () => {
    const redis = connections[0] as Redis;
    const minSlackMs = 200;
    // The real connection; its first reservation's reply is followed by another callback that blocks the loop for
    // 400 ms (more than the slack), as another job's would in a worker: it runs right after reserve()'s own.
    let stalls = 1;
    const stalling = new Proxy(redis, {
      get(target, property, receiver) {
        if (property !== 'eval') return Reflect.get(target, property, receiver);
        return (...args: Parameters<Redis['eval']>) => {
          const reply = target.eval(...args);
          if (stalls-- > 0) queueMicrotask(() => void reply.then(() => busyFor(400)));
          return reply;
        };
      },
    });
    const key = crmSendWindowKey(`${prefix}-stall`);
    const window = createCrmSendWindow({
      redis: stalling,
      prefix: `${prefix}-stall`,
      max: 10,
      windowMs: 1000,
      minSlackMs,
    });
    try {
      await window.reserve();
      // What the caller does next (its request) happens now: the slot it holds must be younger than half the slack.
      // Redis' clock then: its TIME, less the round trip it took to ask (a busy machine's, not the reservation's).
      const returned = performance.now();
      const [seconds, micros] = await redis.time();
      const atReturn = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - (performance.now() - returned);
      const newest = Number((await redis.zrange(key, -1, -1, 'WITHSCORES'))[1]);
      expect(atReturn - newest).toBeLessThanOrEqual(minSlackMs / 2);
      // The stale slot stays taken: two (or more, on a machine busy enough to stale the second) for one request.
      expect(await redis.zcard(key)).toBeGreaterThanOrEqual(2);
    } finally {
      await redis.del(key);
    }
  });
});

function busyFor(ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // nothing else in this process runs
  }
}
