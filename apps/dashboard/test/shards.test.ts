import {
  circuitKey,
  createLogger,
  createMetricsRegistry,
  createQueue,
  createRedisConnection,
  dashboardStatusSchema,
} from '@zaprelay/core';
import { deleteKeysUnder } from '@zaprelay/test-kit';
import { testConfig } from '@zaprelay/test-kit/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../src/app.js';
import { GOOD_AUTH, PASSWORD, USER } from './dashboard-fixture.js';

describe('events shards on the dashboard (QUEUE_SHARDS=3)', () => {
  const config = testConfig({ QUEUE_SHARDS: '3', DASHBOARD_USER: USER, DASHBOARD_PASSWORD: PASSWORD });
  const redis = createRedisConnection(config.REDIS_URL, { role: 'worker', name: 'dashboard-shards-test' });
  afterAll(async () => {
    await deleteKeysUnder(redis, config.QUEUE_PREFIX);
    redis.disconnect();
  });

  it('one logical events queue with each shard in the status, and every shard in Bull Board', async () => {
    const seeded = [
      ['events', 2],
      ['events-1', 1],
      ['events-2', 3],
    ] as const;
    for (const [name, count] of seeded) {
      const queue = createQueue(name, { connection: redis, config });
      for (let i = 0; i < count; i++) await queue.add('probe', { i });
      await queue.close();
    }
    const app = await buildDashboard({
      config,
      logger: createLogger({ ...config, LOG_LEVEL: 'silent' }, { name: 'test' }),
      redis,
      registry: createMetricsRegistry('dashboard-shards-test'),
    });
    try {
      const status = dashboardStatusSchema.parse(
        (await app.inject({ url: '/api/status.json', headers: { authorization: GOOD_AUTH } })).json(),
      );
      const events = status.queues.filter((q) => q.name.startsWith('events'));
      expect(events).toHaveLength(1);
      expect(events[0]?.counts.waiting).toBe(6);
      expect(events[0]?.shards?.map((s) => [s.name, s.counts.waiting])).toEqual(seeded.map(([n, c]) => [n, c]));
      expect(status.queues.find((q) => q.name === 'crm')?.shards).toBeUndefined();

      const page = await app.inject({ url: '/', headers: { authorization: GOOD_AUTH } });
      expect(page.body).toContain('data-shard="events-2"');

      const board = await app.inject({ url: '/admin/queues/api/queues', headers: { authorization: GOOD_AUTH } });
      const names = (board.json() as { queues: Array<{ name: string }> }).queues.map((q) => q.name);
      expect(names).toEqual(expect.arrayContaining(['events', 'events-1', 'events-2', 'crm', 'contact-sync']));
    } finally {
      await app.close();
    }
  });

  it('under DASHBOARD_BASE_PATH: shards and circuits shown, and every link on the page stays under the prefix', async () => {
    const based = { ...config, DASHBOARD_BASE_PATH: '/ops' };
    await redis.hset(circuitKey(config.QUEUE_PREFIX, 'supercrm'), { state: 'open', since: Date.now() });
    const app = await buildDashboard({
      config: based,
      logger: createLogger({ ...config, LOG_LEVEL: 'silent' }, { name: 'test' }),
      redis,
      registry: createMetricsRegistry('dashboard-shards-base-test'),
    });
    try {
      const headers = { authorization: GOOD_AUTH };
      const page = await app.inject({ url: '/ops/', headers });
      expect(page.body).toContain('data-shard="events-1"');
      expect(page.body).toMatch(/<tr data-api="supercrm">.*?data-circuit="open"/s);
      // As a browser resolves them against the page's address.
      const links = [...page.body.matchAll(/href="([^"]+)"/g)].map((m) => new URL(m[1] as string, 'http://x/ops/'));
      expect(links.map((l) => l.pathname).filter((path) => !path.startsWith('/ops/'))).toEqual([]);
      const shardLink = links.find((l) => l.pathname.endsWith('/queue/events-1'));
      expect(shardLink?.pathname).toBe('/ops/admin/queues/queue/events-1');
      expect((await app.inject({ url: shardLink?.pathname as string, headers })).statusCode).toBe(200);
      const sections = await app.inject({ url: '/ops/status/sections', headers });
      expect(sections.statusCode).toBe(200);
      expect(sections.body).toContain('data-shard="events-2"');
    } finally {
      await app.close();
      await redis.del(circuitKey(config.QUEUE_PREFIX, 'supercrm'));
    }
  });
});
