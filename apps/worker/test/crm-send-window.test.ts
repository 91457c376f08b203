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
});
