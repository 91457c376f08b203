import { type DashboardStatus, dashboardStatusSchema } from '@zaprelay/core';
import { afterEach, describe, expect, it } from 'vitest';
import { renderStatusSections } from '../src/status/render-status.js';
import { type DashboardFixture, GOOD_AUTH, startDashboard } from './dashboard-fixture.js';

describe('the Redis the jobs live in, on the status page', () => {
  let f: DashboardFixture;
  afterEach(() => f.stop());

  it('the status JSON says how Redis keeps jobs', async () => {
    f = await startDashboard();
    const app = await f.build();
    const res = await app.inject({ method: 'GET', url: '/api/status.json', headers: { authorization: GOOD_AUTH } });
    const status = dashboardStatusSchema.parse(res.json());
    expect(status.redis).toMatchObject({ maxmemoryPolicy: 'noeviction' });
    expect(status.redis?.refused).toBeUndefined();

    const refused: DashboardStatus = {
      ...status,
      redis: { ...status.redis, readFrom: 'info', refused: 'Redis maxmemory-policy is "allkeys-lru": it may evict' },
    };
    const html = renderStatusSections(refused);
    expect(html).toContain('<section id="redis"');
    expect(html).toContain('maxmemory-policy is &quot;allkeys-lru&quot;');
    expect(html).toContain('503 on /health/ready');
    const fine = renderStatusSections({ ...status, redis: { readFrom: 'config', maxmemoryPolicy: 'noeviction' } });
    expect(fine).not.toContain('<section id="redis"');
  });
});
