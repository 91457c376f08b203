import { waitFor } from '@zaprelay/test-kit';
import { UnrecoverableError } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { type DashboardFixture, failedJob, GOOD_AUTH, PASSWORD, startDashboard, USER } from './dashboard-fixture.js';

/**
 * Bull Board's "Retry all" and "Retry" are the operator actions of issue 6;
 * these call the API its buttons call, against jobs a real worker failed.
 */
describe('retry actions through Bull Board', () => {
  let f: DashboardFixture;
  afterEach(() => f.stop());

  it('retries all failed jobs of a queue and replays one dead job, with credentials', async () => {
    f = await startDashboard();
    const app = await f.build();
    let failing = true;
    f.startWorker('outbound', async () => {
      if (failing) throw new UnrecoverableError('gateway rejected the message (test)');
      return { ok: true };
    });
    const outbound = f.queue('outbound');
    const a = await failedJob(outbound, 'send', { n: 1 });
    const b = await failedJob(outbound, 'send', { n: 2 });
    const c = await failedJob(outbound, 'send', { n: 3 });
    failing = false;

    const one = await app.inject({
      method: 'PUT',
      url: `/admin/queues/api/queues/outbound/${a.id}/retry`,
      headers: { authorization: GOOD_AUTH },
    });
    expect(one.statusCode).toBe(204);
    await waitFor(
      'the first job to complete',
      async () => (await outbound.getJobState(a.id as string)) === 'completed',
    );
    expect(await outbound.getJobState(b.id as string)).toBe('failed');

    const all = await app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/outbound/retry/failed',
      headers: { authorization: GOOD_AUTH },
    });
    expect(all.statusCode).toBe(200);
    await waitFor(
      'three completed jobs',
      async () => (await outbound.getJobCounts('failed', 'completed')).completed === 3,
    );
    expect(await outbound.getJobState(c.id as string)).toBe('completed');
    expect((await outbound.getJobCounts('failed')).failed).toBe(0);
  });

  it.each([
    ['without credentials', { DASHBOARD_READ_ONLY: 'true' }, {}],
    [
      'with credentials',
      { DASHBOARD_READ_ONLY: 'true', DASHBOARD_USER: USER, DASHBOARD_PASSWORD: PASSWORD },
      { authorization: GOOD_AUTH },
    ],
  ])('read-only mode %s shows everything and refuses every action', async (_label, env, headers) => {
    f = await startDashboard(env);
    const app = await f.build();
    f.startWorker('crm', async () => {
      throw new UnrecoverableError('CRM said no (test)');
    });
    const job = await failedJob(f.queue('crm'), 'contact', { n: 1 });

    const page = await app.inject({ method: 'GET', url: '/', headers });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('read-only');
    const board = await app.inject({
      method: 'GET',
      url: '/admin/queues/api/queues?activeQueue=crm&status=failed',
      headers,
    });
    expect(board.statusCode).toBe(200);
    const crm = board.json().queues.find((q: { name: string }) => q.name === 'crm');
    expect(crm).toMatchObject({ readOnlyMode: true, allowRetries: false });

    for (const url of [
      `/admin/queues/api/queues/crm/${job.id}/retry`,
      '/admin/queues/api/queues/crm/retry/failed',
      '/admin/queues/api/queues/crm/clean/failed',
      '/admin/queues/api/queues/crm/pause',
    ]) {
      const res = await app.inject({ method: 'PUT', url, headers });
      expect(res.statusCode, url).toBe(405);
    }
    expect(await job.getState()).toBe('failed');
    expect(await f.queue('crm').isPaused()).toBe(false);
  });

  it('read-only mode with credentials still asks for them', async () => {
    f = await startDashboard({ DASHBOARD_READ_ONLY: 'true', DASHBOARD_USER: USER, DASHBOARD_PASSWORD: PASSWORD });
    const app = await f.build();
    expect((await app.inject({ method: 'GET', url: '/api/status.json' })).statusCode).toBe(401);
  });
});
