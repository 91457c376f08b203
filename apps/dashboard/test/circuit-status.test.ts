import { circuitKey, dashboardStatusSchema } from '@zaprelay/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type DashboardFixture, GOOD_AUTH, startDashboard } from './dashboard-fixture.js';

describe('circuit breakers on the status page and in its JSON', () => {
  let f: DashboardFixture;
  afterEach(async () => {
    await f.redis.del(circuitKey(f.config.QUEUE_PREFIX, 'supercrm'), circuitKey(f.config.QUEUE_PREFIX, 'wuzapi'));
    await f.stop();
  });

  it("shows each API's circuit and since when; an API never tripped is closed", async () => {
    f = await startDashboard();
    const app = await f.build();
    const since = Date.now() - 90_000;
    await f.redis.hset(f.keys.apis, 'evolution', JSON.stringify({ status: 'healthy' }));
    // The breaker opened before any health was recorded for the CRM: it shows anyway.
    await f.redis.hset(circuitKey(f.config.QUEUE_PREFIX, 'supercrm'), { state: 'open', since, until: since + 30_000 });
    await f.redis.hset(circuitKey(f.config.QUEUE_PREFIX, 'wuzapi'), { state: 'half-open', since });

    const res = await app.inject({ method: 'GET', url: '/api/status.json', headers: { authorization: GOOD_AUTH } });
    const status = dashboardStatusSchema.parse(res.json());
    expect(status.apis.map((a) => [a.name, a.circuit, a.circuitSince])).toEqual([
      ['evolution', 'closed', undefined],
      ['supercrm', 'open', new Date(since).toISOString()],
      ['wuzapi', 'half-open', new Date(since).toISOString()],
    ]);

    const page = await app.inject({ method: 'GET', url: '/status/sections', headers: { authorization: GOOD_AUTH } });
    expect(page.body).toMatch(/<tr data-api="supercrm">.*?data-circuit="open".*?since <time[^>]*>2 min ago/s);
    expect(page.body).toMatch(/<tr data-api="evolution">.*?data-circuit="closed"/s);
  });
});
