import { createQueue, createRedisConnection, type HistoryEntry, monitorKeys } from '@zaprelay/core';
import { deleteKeysUnder, waitFor } from '@zaprelay/test-kit';
import { testConfig } from '@zaprelay/test-kit/vitest';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { createAlertDeliveryWorker } from '../src/monitor/alert-delivery.js';
import { createQueueWatch } from '../src/monitor/queue-watch.js';
import { buildMonitor } from './monitor-fixture.js';

const at = () => new Date().toISOString();
const open = (responseTimeMs = 10): HistoryEntry => ({ at: at(), state: 'open', responseTimeMs });

function build(env: Record<string, string> = {}, alertsQueue?: Queue) {
  return buildMonitor({ env: { ALERT_QUIET_PERIOD_MS: '600000', ...env }, maxHistory: 50, alertsQueue });
}

describe('alerts an operator can trust', () => {
  const built: ReturnType<typeof build>[] = [];
  const make = (env: Record<string, string> = {}) => {
    const b = build(env);
    built.push(b);
    return b;
  };
  afterAll(async () => {
    for (const { redis, config } of built) {
      await deleteKeysUnder(redis, config.QUEUE_PREFIX);
      redis.disconnect();
    }
  });

  it('alerts a new outage within the quiet period after a recovery; holds back only repeats', async () => {
    const { tracker, store, publish } = make();
    await tracker.observeInstance('shop', 'evolution', open());
    await tracker.observeInstance('shop', 'evolution', { at: at(), state: 'close' });
    await tracker.observeInstance('shop', 'evolution', open());
    await tracker.observeInstance('shop', 'evolution', { at: at(), state: 'close' });
    const changes = (await store.alerts()).map((a) => `${a.from}>${a.to}`).reverse();
    expect(changes).toEqual(['healthy>down', 'down>healthy', 'healthy>down']);
    // The same change seen again (another worker, a stale read) is a repeat.
    expect(await publish({ subject: 'instance:shop', from: 'healthy', to: 'down', reason: 'again' })).toBeUndefined();
    expect(await store.alerts()).toHaveLength(3);
  });

  it('does not flap healthy↔degraded on one slow answer or one connecting blip; two in a row count', async () => {
    const { tracker, store } = make();
    for (let i = 0; i < 8; i++) await tracker.observeInstance('steady', 'evolution', open(10 + (i % 3)));
    await tracker.observeInstance('steady', 'evolution', open(900));
    expect(await store.instanceStatus('steady')).toMatchObject({ status: 'healthy' });
    await tracker.observeInstance('steady', 'evolution', open(11));
    await tracker.observeInstance('steady', 'evolution', { at: at(), state: 'connecting', responseTimeMs: 10 });
    await tracker.observeInstance('steady', 'evolution', open(10));
    expect(await store.alerts()).toEqual([]);

    await tracker.observeInstance('steady', 'evolution', open(900));
    await tracker.observeInstance('steady', 'evolution', open(950));
    expect(await store.instanceStatus('steady')).toMatchObject({ status: 'degraded' });
    expect(await store.alerts()).toEqual([
      expect.objectContaining({ subject: 'instance:steady', from: 'healthy', to: 'degraded' }),
    ]);
  });

  it('alerts failed-set growth over the window, a job waiting too long, and the first 401 refusals', async () => {
    const b = make({ ALERT_FAILED_JOBS_THRESHOLD: '3', ALERT_OLDEST_WAITING_MS: '60000' });
    const failing = new Queue('watch-failing', { connection: b.redis, prefix: b.config.QUEUE_PREFIX });
    const idle = new Queue('watch-idle', { connection: b.redis, prefix: b.config.QUEUE_PREFIX });
    const worker = new Worker(
      'watch-failing',
      async () => {
        throw new UnrecoverableError('CRM said 422');
      },
      { connection: b.redis.duplicate(), prefix: b.config.QUEUE_PREFIX },
    );
    try {
      const watch = createQueueWatch({
        redis: b.redis,
        queues: [failing, idle],
        config: b.config,
        publish: b.publish,
        logger: b.logger,
      });
      await failing.addBulk([1, 2].map((n) => ({ name: 'j', data: { n } })));
      await idle.add('waiting', { n: 1 });
      await waitFor('two failed', async () => (await failing.getFailedCount()) === 2);
      await watch.check();
      expect(await b.store.alerts()).toEqual([]);

      await failing.add('j', { n: 3 });
      await waitFor('three failed', async () => (await failing.getFailedCount()) === 3);
      await b.redis.incr(monitorKeys(b.config.QUEUE_PREFIX).refused('wuzapi'));
      await watch.check(Date.now() + 61_000);
      const alerts = await b.store.alerts();
      expect(alerts.map((a) => [a.type, a.subject]).sort()).toEqual([
        ['jobsFailing', 'queue:watch-failing'],
        ['jobsWaitingTooLong', 'queue:watch-idle'],
        ['webhooksRefused', 'webhook:wuzapi'],
      ]);
      expect(alerts.find((a) => a.type === 'webhooksRefused')?.reason).toMatch(/^1 wuzapi webhooks refused with 401/);
      // Within the quiet period the same condition is not repeated.
      await b.redis.incr(monitorKeys(b.config.QUEUE_PREFIX).refused('wuzapi'));
      await watch.check(Date.now() + 61_000);
      expect(await b.store.alerts()).toHaveLength(3);
    } finally {
      await worker.close();
      for (const q of [failing, idle]) {
        await q.obliterate({ force: true });
        await q.close();
      }
    }
  });

  it("a job waiting too long in the prioritized set (the CRM queue's contact upserts) alerts too", async () => {
    const b = make({ ALERT_OLDEST_WAITING_MS: '60000' });
    const queue = new Queue('watch-prioritized', { connection: b.redis, prefix: b.config.QUEUE_PREFIX });
    try {
      const watch = createQueueWatch({
        redis: b.redis,
        queues: [queue],
        config: b.config,
        publish: b.publish,
        logger: b.logger,
      });
      const job = await queue.add('contact-upsert', { n: 1 }, { priority: 10 });
      expect(await queue.getJobCounts('wait', 'prioritized')).toEqual({ wait: 0, prioritized: 1 });
      await watch.check();
      expect(await b.store.alerts()).toEqual([]);
      await watch.check(Date.now() + 61_000);
      expect(await b.store.alerts()).toEqual([
        expect.objectContaining({ type: 'jobsWaitingTooLong', subject: 'queue:watch-prioritized' }),
      ]);
      expect((await b.store.alerts())[0]?.reason).toContain(`oldest waiting job ${job.id}`);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('posts a Slack-compatible body with ALERT_FORMAT=slack, JSON otherwise', async () => {
    const received: unknown[] = [];
    const receiver = Fastify();
    receiver.post('/hook', async (req) => {
      received.push(req.body);
      return 'ok';
    });
    const url = `${await receiver.listen({ port: 0, host: '127.0.0.1' })}/hook`;
    const closers: Array<() => Promise<unknown>> = [() => receiver.close()];
    try {
      for (const format of ['slack', 'json']) {
        const config = testConfig({ ALERT_FORMAT: format, ALERT_WEBHOOK_URL: url });
        const redis = createRedisConnection(config.REDIS_URL, { role: 'worker' });
        const alertsQueue = createQueue('alerts', { connection: redis, config });
        const b = build({ QUEUE_PREFIX: config.QUEUE_PREFIX }, alertsQueue);
        built.push(b);
        const worker = createAlertDeliveryWorker({ connection: redis, config, logger: b.logger, alertsQueue, url });
        closers.push(async () => {
          await worker.close();
          await alertsQueue.obliterate({ force: true });
          await alertsQueue.close();
          redis.disconnect();
        });
        await b.publish({ subject: 'api:supercrm', from: 'healthy', to: 'down', reason: 'HTTP 503' });
      }
      await waitFor('both delivered', () => received.length === 2);
      const slack = received.find((r) => typeof r === 'object' && r !== null && 'text' in r) as { text: string };
      expect(Object.keys(slack)).toEqual(['text']);
      expect(slack.text).toMatch(/api:supercrm\* is down \(was healthy\): HTTP 503/);
      expect(received).toContainEqual(
        expect.objectContaining({ type: 'healthStatusChanged', subject: 'api:supercrm', from: 'healthy', to: 'down' }),
      );
    } finally {
      for (const close of closers.reverse()) await close();
    }
  });
});
