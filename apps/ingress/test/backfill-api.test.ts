import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngress, type Ingress, json, SECRETS } from './ingress-harness.js';

const bearer = { authorization: `Bearer ${SECRETS.API_TOKEN}` };
const HOUR = 3600_000;

describe('/api/backfill', () => {
  let ingress: Ingress;
  beforeEach(async () => {
    ingress = await buildIngress({
      EVOLUTION_API_URL: 'http://evolution.invalid',
      EVOLUTION_API_KEY: 'k',
      EVOLUTION_INSTANCES: 'sales-01',
      WUZAPI_API_URL: 'http://wuzapi.invalid',
      WUZAPI_USER_TOKENS: 'loja-centro:tok',
    });
  });
  afterEach(() => ingress.close());

  const start = (body: unknown) => ingress.app.inject({ url: '/api/backfill', ...json(body, bearer) });

  it('401 without the bearer token', async () => {
    expect((await ingress.app.inject({ url: '/api/backfill', ...json({}) })).statusCode).toBe(401);
    expect((await ingress.app.inject({ url: '/api/backfill/x' })).statusCode).toBe(401);
  });

  it('202 with an id whose progress starts queued, for each gateway', async () => {
    const since = new Date(Date.now() - 2 * HOUR).toISOString();
    const res = await start({ instance: 'sales-01', since });
    expect(res.statusCode).toBe(202);
    const { id } = res.json();
    const progress = await ingress.app.inject({ url: `/api/backfill/${id}`, headers: bearer });
    expect(progress.statusCode).toBe(200);
    expect(progress.json()).toMatchObject({
      id,
      instance: 'sales-01',
      gateway: 'evolution',
      since,
      state: 'queued',
      read: 0,
      known: 0,
      queued: 0,
      skipped: 0,
    });
    // Any spelling finds the instance; the run reads Evolution under the configured one.
    const shouted = await start({ instance: 'SALES-01', since });
    expect(shouted.statusCode).toBe(202);
    expect((await ingress.queues.backfill.getJob(shouted.json().id))?.data).toMatchObject({ instance: 'sales-01' });
    const wuzapi = await start({ instance: 'loja-centro', since: Date.now() - HOUR, until: Date.now() - 1000 });
    expect(wuzapi.statusCode).toBe(202);
    expect((await ingress.queues.backfill.getJob(wuzapi.json().id))?.data).toMatchObject({ gateway: 'wuzapi' });
  });

  it('400 naming the bad field', async () => {
    const issuesOf = async (body: unknown) => {
      const res = await start(body);
      expect(res.statusCode).toBe(400);
      return res.json().issues.map((i: { path: string }) => i.path);
    };
    expect(await issuesOf({ since: new Date().toISOString() })).toEqual(['instance']);
    expect(await issuesOf({ instance: 'sales-01', since: 'yesterday' })).toEqual(['since']);
    // Epoch seconds would silently mean 1970 to Evolution.
    expect(await issuesOf({ instance: 'sales-01', since: Math.floor(Date.now() / 1000) - 60 })).toEqual(['since']);
    expect(await issuesOf({ instance: 'sales-01', since: Date.now() - HOUR, until: Date.now() - 2 * HOUR })).toEqual([
      'since',
    ]);
    // Beyond the dedupe markers' memory a read-back message cannot be told from a delivered one.
    expect(await issuesOf({ instance: 'sales-01', since: Date.now() - 25 * HOUR })).toEqual(['since']);
  });

  it('404 for an unknown instance or id', async () => {
    const unknown = await start({ instance: 'nope', since: Date.now() - HOUR });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'unknown_instance' });
    expect((await ingress.app.inject({ url: '/api/backfill/backfill-missing', headers: bearer })).statusCode).toBe(404);
  });
});
