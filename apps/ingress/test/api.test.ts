import { createRedisConnection, monitorKeys, QUEUES } from '@zaprelay/core';
import { waitFor } from '@zaprelay/test-kit';
import { UnrecoverableError, Worker } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngress, type Ingress, json, SECRETS } from './ingress-harness.js';

const bearer = { authorization: `Bearer ${SECRETS.API_TOKEN}` };

describe('/api', () => {
  let ingress: Ingress;
  beforeEach(async () => {
    ingress = await buildIngress();
  });
  afterEach(() => ingress.close());

  it('401 without the bearer token, on every route', async () => {
    for (const [method, url] of [
      ['POST', '/api/messages'],
      ['GET', '/api/messages/x'],
      ['GET', '/api/status'],
      ['POST', '/api/sync/contacts'],
      ['GET', '/api/sync/x'],
    ] as const) {
      const res = await ingress.app.inject({ method, url, headers: { authorization: 'Bearer nope' } });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it('queues a send and reports it queued, then sent with the gateway id', async () => {
    const res = await ingress.app.inject({
      url: '/api/messages',
      ...json({ instance: 'sales-01', to: '+5511987654321', text: 'Oi' }, bearer),
    });
    expect(res.statusCode).toBe(202);
    const { id } = res.json();
    const before = await ingress.app.inject({ url: `/api/messages/${id}`, headers: bearer });
    expect(before.json()).toMatchObject({ id, state: 'queued', attempts: 0 });
    expect((await ingress.queues.outbound.getJob(id))?.data).toMatchObject({ origin: 'api', to: '+5511987654321' });

    const connection = createRedisConnection(ingress.config.REDIS_URL, { role: 'worker' });
    const worker = new Worker(QUEUES.outbound, async () => ({ gatewayMessageId: 'GW-1', gateway: 'evolution' }), {
      connection,
      prefix: ingress.config.QUEUE_PREFIX,
    });
    try {
      const sent = await waitFor('sent state', async () => {
        const r = (await ingress.app.inject({ url: `/api/messages/${id}`, headers: bearer })).json();
        return r.state === 'sent' ? r : undefined;
      });
      expect(sent).toEqual({ id, state: 'sent', attempts: 1, gatewayMessageId: 'GW-1' });
    } finally {
      await worker.close();
      connection.disconnect();
    }
  });

  it('reports a failed send with its error, and 404 for an unknown id', async () => {
    const { id } = (
      await ingress.app.inject({
        url: '/api/messages',
        ...json({ instance: 'i', to: '5511987654321@s.whatsapp.net', text: 'x' }, bearer),
      })
    ).json();
    const connection = createRedisConnection(ingress.config.REDIS_URL, { role: 'worker' });
    const worker = new Worker(
      QUEUES.outbound,
      async () => {
        throw new UnrecoverableError('evolution sendText failed: HTTP 400');
      },
      { connection, prefix: ingress.config.QUEUE_PREFIX },
    );
    try {
      const failed = await waitFor('failed state', async () => {
        const r = (await ingress.app.inject({ url: `/api/messages/${id}`, headers: bearer })).json();
        return r.state === 'failed' ? r : undefined;
      });
      expect(failed).toMatchObject({ state: 'failed', error: 'evolution sendText failed: HTTP 400' });
    } finally {
      await worker.close();
      connection.disconnect();
    }
    const missing = await ingress.app.inject({ url: '/api/messages/nope', headers: bearer });
    expect(missing.statusCode).toBe(404);
  });

  it('400 with issues for a bad send, and one job for a repeated Idempotency-Key', async () => {
    const bad = await ingress.app.inject({
      url: '/api/messages',
      ...json({ instance: 'i', to: '12', text: '' }, bearer),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues.map((i: { path: string }) => i.path)).toEqual(['to', 'text']);
    // A JID the worker could never send to is refused here, not accepted and failed later.
    for (const to of ['abc@s.whatsapp.net', '5511987654321@example.com', '@g.us']) {
      const res = await ingress.app.inject({ url: '/api/messages', ...json({ instance: 'i', to, text: 'x' }, bearer) });
      expect(res.statusCode, to).toBe(400);
      expect(res.json().issues).toEqual([{ path: 'to', message: expect.stringMatching(/E\.164 phone/) }]);
    }
    expect(await ingress.queues.outbound.getJobCounts('waiting')).toEqual({ waiting: 0 });
    const body = { instance: 'i', to: '+5511987654321', text: 'once' };
    const a = await ingress.app.inject({ url: '/api/messages', ...json(body, { ...bearer, 'idempotency-key': 'k1' }) });
    const b = await ingress.app.inject({ url: '/api/messages', ...json(body, { ...bearer, 'idempotency-key': 'k1' }) });
    expect(a.json().id).toBe(b.json().id);
    expect(await ingress.queues.outbound.getJobCounts('waiting')).toEqual({ waiting: 1 });
    const other = await ingress.app.inject({
      url: '/api/messages',
      ...json({ ...body, text: 'another' }, { ...bearer, 'idempotency-key': 'k1' }),
    });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ error: 'idempotency_key_reused' });
    expect(await ingress.queues.outbound.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('GET /api/status lists instances with status and recent history, queues and the CRM window', async () => {
    const keys = monitorKeys(ingress.config.QUEUE_PREFIX);
    const at = new Date().toISOString();
    await ingress.redis.hset(
      keys.instances,
      'sales-01',
      JSON.stringify({ instance: 'sales-01', source: 'evolution', state: 'open', status: 'healthy', checkedAt: at }),
    );
    await ingress.redis.lpush(
      keys.history('instance:sales-01'),
      JSON.stringify({ at, state: 'open', responseTimeMs: 12 }),
    );
    await ingress.queues.events.add('x', { any: 1 });
    const res = await ingress.app.inject({ url: '/api/status', headers: bearer });
    expect(res.statusCode).toBe(200);
    const status = res.json();
    expect(status.instances).toEqual([
      expect.objectContaining({
        instance: 'sales-01',
        status: 'healthy',
        history: [expect.objectContaining({ responseTimeMs: 12 })],
      }),
    ]);
    expect(status.queues.find((q: { name: string }) => q.name === 'events').counts.waiting).toBe(1);
    expect(status.crm).toMatchObject({ limit: 100, used: 0 });
  });

  it('POST /api/sync/contacts queues a sync whose progress GET /api/sync/:id reports', async () => {
    const res = await ingress.app.inject({ url: '/api/sync/contacts', ...json({ instance: 'sales-01' }, bearer) });
    expect(res.statusCode).toBe(202);
    const progress = await ingress.app.inject({ url: `/api/sync/${res.json().id}`, headers: bearer });
    expect(progress.json()).toMatchObject({ id: res.json().id, instance: 'sales-01', state: 'waiting', progress: 0 });
  });
});
