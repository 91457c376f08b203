import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngress, type Ingress, json, SECRETS } from './ingress-harness.js';

const bearer = { authorization: `Bearer ${SECRETS.API_TOKEN}` };
const body = { instance: 'sales-01', to: '+5511987654321', text: 'Seu pedido saiu 🚚' };

describe('POST /api/messages Idempotency-Key', () => {
  let ingress: Ingress;
  beforeEach(async () => {
    ingress = await buildIngress();
  });
  afterEach(() => ingress.close());

  const send = (message: object, key: string) =>
    ingress.app.inject({ url: '/api/messages', ...json(message, { ...bearer, 'idempotency-key': key }) });

  it('answers a retry after the job is gone with the same send, and queues nothing', async () => {
    const first = await send(body, 'order-77');
    expect(first.statusCode).toBe(202);
    const { id } = first.json();
    // Completed jobs are removed after COMPLETED_JOB_RETENTION_SECONDS (1 h); the key must outlive them.
    await (await ingress.queues.outbound.getJob(id))?.remove();

    const retry = await send(body, 'order-77');
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toEqual({ id });
    expect(await ingress.queues.outbound.getJob(id)).toBeUndefined();
    expect(await ingress.queues.outbound.count()).toBe(0);

    const other = await send({ ...body, text: 'outra mensagem' }, 'order-77');
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ error: 'idempotency_key_reused' });
  });

  it('remembers the key for 24 h', async () => {
    const { id } = (await send(body, 'order-ttl')).json();
    const keys = await ingress.redis.keys(`${ingress.config.QUEUE_PREFIX}:api-idempotency:*`);
    expect(keys).toEqual([`${ingress.config.QUEUE_PREFIX}:api-idempotency:${id}`]);
    const ttl = await ingress.redis.ttl(keys[0] as string);
    expect(ttl).toBeGreaterThan(24 * 60 * 60 - 60);
    expect(ttl).toBeLessThanOrEqual(24 * 60 * 60);
  });

  it('gives one 202 and one 422 to concurrent requests with the same key and different messages', async () => {
    for (let round = 0; round < 10; round++) {
      const key = `race-${round}`;
      const answers = await Promise.all([send(body, key), send({ ...body, text: `outro ${round}` }, key)]);
      const codes = answers.map((a) => a.statusCode).sort();
      expect(codes, `round ${round}`).toEqual([202, 422]);
    }
    expect(await ingress.queues.outbound.count()).toBe(10);
  });

  it('gives concurrent identical requests the same send, one job', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => send(body, 'same-key')));
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
    expect(await ingress.queues.outbound.count()).toBe(1);
  });
});
