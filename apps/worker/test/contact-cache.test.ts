import { createRedisConnection } from '@zaprelay/core';
import { deleteKeysUnder } from '@zaprelay/test-kit';
import { testConfig } from '@zaprelay/test-kit/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { createContactCache } from '../src/crm/contact-cache.js';

describe('phone → contact cache', () => {
  const config = testConfig();
  const redis = createRedisConnection(config.REDIS_URL, { role: 'worker' });
  const cache = createContactCache(redis, config);
  afterAll(async () => {
    await deleteKeysUnder(redis, config.QUEUE_PREFIX);
    redis.disconnect();
  });

  it("drops a contact's old phone when the CRM moves it to a new one", async () => {
    await cache.set('+5511900000001', 'ct_1');
    await cache.set('+5511900000002', 'ct_1');
    expect(await cache.get('+5511900000001')).toBeUndefined();
    expect(await cache.get('+5511900000002')).toBe('ct_1');
  });

  it('leaves the old phone alone when another contact has taken it meanwhile', async () => {
    await cache.set('+5511900000010', 'ct_10');
    await cache.set('+5511900000010', 'ct_11');
    await cache.set('+5511900000012', 'ct_10');
    expect(await cache.get('+5511900000010')).toBe('ct_11');
    expect(await cache.get('+5511900000012')).toBe('ct_10');
  });

  it('forgets a mapping only while it still names the contact', async () => {
    await cache.set('+5511900000020', 'ct_20');
    await cache.forget('+5511900000020', 'ct_other');
    expect(await cache.get('+5511900000020')).toBe('ct_20');
    await cache.forget('+5511900000020', 'ct_20');
    expect(await cache.get('+5511900000020')).toBeUndefined();
  });
});
