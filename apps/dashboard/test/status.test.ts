import type { Alert } from '@zaprelay/core';
import { collectStatus, dashboardStatusSchema, monitorKeys, perMinuteSeries } from '@zaprelay/core';
import { waitFor } from '@zaprelay/test-kit';
import { type Metrics, UnrecoverableError } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { type DashboardFixture, failedJob, GOOD_AUTH, startDashboard } from './dashboard-fixture.js';

const auth = { authorization: GOOD_AUTH };

describe('status from the monitor keys and the queues', () => {
  let f: DashboardFixture;
  afterEach(() => f.stop());

  it('reflects seeded instances, APIs, alerts, CRM window, queue depths and throughput', async () => {
    f = await startDashboard();
    const app = await f.build();
    const now = Date.now();
    await f.seedInstance({ instance: 'sales-br', state: 'open', status: 'healthy', responseTimeMs: 42 });
    await f.seedInstance({ instance: 'support', state: 'close', status: 'down', error: 'connection closed' });
    // The monitor is written by another process: broken entries are skipped, not fatal.
    await f.redis.hset(f.keys.instances, 'broken-json', '{not json', 'wrong-shape', JSON.stringify({ instance: 1 }));
    await f.redis.hset(
      f.keys.apis,
      'supercrm',
      JSON.stringify({
        api: 'supercrm',
        status: 'degraded',
        checkedAt: new Date(now).toISOString(),
        errorRate: 0.25,
        reasons: ['error rate 25%'],
      }),
    );
    const alert: Alert = {
      id: 'a1',
      at: new Date(now - 5000).toISOString(),
      type: 'healthStatusChanged',
      subject: 'instance:support',
      from: 'healthy',
      to: 'down',
      reason: 'connection state close',
    };
    const condition: Alert = {
      id: 'a2',
      at: new Date(now - 4000).toISOString(),
      type: 'webhooksRefused',
      subject: 'webhook:wuzapi',
      reason: '3 wuzapi webhooks refused with 401 since the last check',
    };
    await f.redis.lpush(f.keys.alerts, JSON.stringify(alert), JSON.stringify(condition));
    // Three requests inside the window, two from before it.
    await f.redis.zadd(
      f.keys.crmRequests,
      now - 1000,
      'r1',
      now - 2000,
      'r2',
      now - 30_000,
      'r3',
      now - 61_000,
      'old1',
      now - 120_000,
      'old2',
    );

    await f.queue('events').addBulk([1, 2, 3].map((n) => ({ name: 'evt', data: { n } })));
    await f.queue('crm').add('later', { n: 1 }, { delay: 3_600_000 });
    f.startWorker('outbound', async (job) => {
      if (job.data.fail) throw new UnrecoverableError('test failure');
      return 'sent';
    });
    const outbound = f.queue('outbound');
    await outbound.addBulk([1, 2].map((n) => ({ name: 'send', data: { n } })));
    await failedJob(outbound, 'send', { fail: true });
    await waitFor('two completed sends', async () => (await outbound.getJobCounts('completed')).completed === 2);

    const res = await app.inject({ method: 'GET', url: '/api/status.json', headers: auth });
    expect(res.statusCode).toBe(200);
    const status = dashboardStatusSchema.parse(res.json());

    expect(status.instances.map((i) => [i.instance, i.state, i.status])).toEqual([
      ['sales-br', 'open', 'healthy'],
      ['support', 'close', 'down'],
    ]);
    expect(status.skippedEntries).toBe(2);
    expect(status.apis).toEqual([expect.objectContaining({ name: 'supercrm', status: 'degraded', errorRate: 0.25 })]);
    expect(status.alerts).toEqual([condition, alert]);
    expect(status.crm).toEqual({ windowMs: 60_000, limit: 100, used: 3 });
    const counts = Object.fromEntries(status.queues.map((q) => [q.name, q.counts]));
    expect(Object.keys(counts).sort()).toEqual([
      'alerts',
      'backfill',
      'contact-sync',
      'crm',
      'events',
      'monitor',
      'outbound',
    ]);
    expect(counts.events?.waiting).toBe(3);
    expect(counts.crm?.delayed).toBe(1);
    expect(counts.outbound).toMatchObject({ completed: 2, failed: 1, waiting: 0, active: 0 });
    expect(status.throughput.processed).toHaveLength(60);
    expect(status.throughput.processed.reduce((a, b) => a + b, 0)).toBe(2);
    expect(status.throughput.failed.reduce((a, b) => a + b, 0)).toBe(1);

    const page = await app.inject({ method: 'GET', url: '/', headers: auth });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'nonce-/);
    expect(page.body).toContain('<tr data-instance="sales-br">');
    expect(page.body).toMatch(/<tr data-queue="events">.*?<td class="num" data-state="waiting">3<\/td>/s);
    expect(page.body).toContain('<strong data-crm-used>3</strong> of 100');
    expect(page.body).toContain('connection state close');
    expect(page.body).toMatch(/webhook:wuzapi<\/td><td>webhooksRefused<\/td><td>3 wuzapi webhooks refused/);
    expect(page.body).toContain('2 monitor entries could not be read');
    expect(page.body).toMatch(/<rect [^>]*fill="#cf222e"><title>1 failed, [01] min ago<\/title>/);

    const sections = await app.inject({ method: 'GET', url: '/status/sections', headers: auth });
    expect(sections.body).toContain('<tr data-instance="support">');
    expect(sections.body).not.toContain('<script');
  });

  it('says "no data yet" before the monitor wrote anything, and escapes what it shows', async () => {
    f = await startDashboard();
    const app = await f.build();
    const empty = await app.inject({ method: 'GET', url: '/', headers: auth });
    expect(empty.body.match(/No data yet/g)).toHaveLength(2);
    expect(empty.body).toContain('No alerts.');

    await f.seedInstance({ instance: '<img src=x onerror=alert(1)>', error: '"><script>alert(2)</script>' });
    const page = await app.inject({ method: 'GET', url: '/status/sections', headers: auth });
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.body).not.toContain('<img');
    expect(page.body).not.toContain('<script>');
  });

  it('is a function of redis, queues and config only (what the ingress will call)', async () => {
    f = await startDashboard();
    await f.seedInstance({ instance: 'direct' });
    const status = await collectStatus({ redis: f.redis, queues: f.queues, config: f.config });
    expect(status.instances.map((i) => i.instance)).toEqual(['direct']);
    expect(status.queues).toHaveLength(7);
  });

  it('counts @lid messages waiting for their phone, on the page only while there are some', async () => {
    f = await startDashboard();
    const app = await f.build();
    const none = await app.inject({ method: 'GET', url: '/status/sections', headers: auth });
    expect(none.body).not.toContain('id="lid-waiting"');
    await f.redis.hset(monitorKeys(f.config.QUEUE_PREFIX).lidWaiting, '1@lid\nM-1', '{}', '1@lid\nM-2', '{}');
    expect((await collectStatus({ redis: f.redis, queues: f.queues, config: f.config })).lidWaiting).toBe(2);
    const page = await app.inject({ method: 'GET', url: '/status/sections', headers: auth });
    expect(page.body).toMatch(/id="lid-waiting".*2 message\(s\) from @lid chats wait for their phone number/);
  });
});

describe('per-minute series from BullMQ metrics', () => {
  const minute = 60_000;
  const now = 1000 * minute + 30_000;
  const metrics = (m: Partial<Metrics['meta']>, data: number[]): Metrics => ({
    meta: { count: 0, prevTS: 0, prevCount: 0, ...m },
    data,
    count: data.length,
  });

  it('is all zeros when no job ever finished', () => {
    expect(perMinuteSeries(metrics({}, []), now)).toEqual(new Array(60).fill(0));
  });

  it('puts the running minute last and older whole minutes before it', () => {
    // Latest job this minute; 4 jobs so far this minute; data: 5 the minute before, 0, then 7.
    const series = perMinuteSeries(metrics({ count: 20, prevCount: 16, prevTS: now - 1000 }, [5, 0, 7]), now);
    expect(series.slice(-4)).toEqual([7, 0, 5, 4]);
    expect(series.slice(0, -4).every((v) => v === 0)).toBe(true);
  });

  it('leaves minutes with no finished job at zero and drops what is older than an hour', () => {
    // Last job 10 minutes ago: 2 then; 3 in the minute before; data reaching back past the hour.
    const series = perMinuteSeries(
      metrics({ count: 9, prevCount: 7, prevTS: now - 10 * minute }, [3, ...new Array(80).fill(1)]),
      now,
    );
    expect(series.slice(-12)).toEqual([3, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(series).toHaveLength(60);
    expect(series.slice(0, -12).every((v) => v === 1)).toBe(true);
  });
});
