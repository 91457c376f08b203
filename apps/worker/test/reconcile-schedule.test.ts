import type { RedisClient } from '@zaprelay/core';
import { createQueue, createRedisConnection, QUEUES } from '@zaprelay/core';
import { deleteKeysUnder } from '@zaprelay/test-kit';
import { testConfig } from '@zaprelay/test-kit/vitest';
import type { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ensureReconcileSchedule,
  queueScheduledRuns,
  RECONCILE_SCHEDULER_ID,
  scheduledRunId,
} from '../src/reconcile/schedule.js';

describe('reconciliation schedule', () => {
  const config = testConfig({
    EVOLUTION_API_URL: 'http://evolution.invalid',
    EVOLUTION_INSTANCES: 'sales-01,sales-02',
    WUZAPI_API_URL: 'http://wuzapi.invalid',
    WUZAPI_USER_TOKENS: 'loja-centro:tok',
    RECONCILE_INTERVAL_MS: '60000',
    RECONCILE_WINDOW_MS: '3600000',
  });
  let redis: RedisClient;
  let queue: Queue;
  beforeEach(() => {
    redis = createRedisConnection(config.REDIS_URL, { role: 'producer' });
    queue = createQueue(QUEUES.backfill, { connection: redis, config });
  });
  afterEach(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await deleteKeysUnder(redis, config.QUEUE_PREFIX);
    redis.disconnect();
  });

  it('one scheduler however many workers ensure it; none with RECONCILE_INTERVAL_MS=0', async () => {
    await ensureReconcileSchedule(queue, config);
    await ensureReconcileSchedule(queue, config);
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.every])).toEqual([[RECONCILE_SCHEDULER_ID, 60000]]);
    await ensureReconcileSchedule(queue, { ...config, RECONCILE_INTERVAL_MS: 0 });
    expect(await queue.getJobSchedulers()).toEqual([]);
  });

  it('queues one run per instance over the window, and none for an instance whose run is still there', async () => {
    const now = Date.now();
    const first = await queueScheduledRuns(queue, config, now);
    expect(first.sort()).toEqual(['loja-centro', 'sales-01', 'sales-02'].map(scheduledRunId).sort());
    expect((await queue.getJob(scheduledRunId('loja-centro')))?.data).toMatchObject({
      gateway: 'wuzapi',
      since: now - 3600000,
      until: now,
      origin: 'schedule',
    });
    // Ticks from other workers while the runs wait or run: nothing more.
    expect(await queueScheduledRuns(queue, config)).toEqual([]);
    expect(await queue.count()).toBe(3);
    // A finished run is removed on completion: the next tick starts the next one.
    await (await queue.getJob(scheduledRunId('sales-02')))?.remove();
    expect(await queueScheduledRuns(queue, config)).toEqual([scheduledRunId('sales-02')]);
  });
});
