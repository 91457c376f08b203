import { createHmac } from 'node:crypto';
import {
  evolutionConnection,
  evolutionGroupText,
  evolutionImage,
  evolutionMessageStatus,
  evolutionPresence,
  evolutionText,
} from '@zaprelay/test-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngress, evolutionAuth, type Ingress, json, SECRETS } from './ingress-harness.js';

function jwt(key: string, claims: Record<string, unknown>, alg = 'HS256') {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${enc({ alg, typ: 'JWT' })}.${enc(claims)}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}

describe('POST /webhooks/evolution', () => {
  let ingress: Ingress;
  beforeEach(async () => {
    ingress = await buildIngress();
  });
  afterEach(() => ingress.close());

  it('stores a text message and answers 202 queued with the job id', async () => {
    const body = evolutionText({ instance: 'sales-01', id: 'MSG-TEXT-1', text: 'Olá' });
    const res = await ingress.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'queued', id: expect.any(String) });
    const [job] = await ingress.storedEvents();
    expect(job).toMatchObject({ source: 'evolution', event: 'messages.upsert', instance: 'sales-01' });
    expect(job?.payload).toMatchObject({ data: { key: { id: 'MSG-TEXT-1' }, message: { conversation: 'Olá' } } });
    expect(await ingress.queues.events.getJob(res.json().id)).toBeDefined();
  });

  it('accepts every spelling of the event name: dotted body, dashed URL suffix, upper snake', async () => {
    const body = evolutionText({ id: 'MSG-SPELL' });
    const viaUrl = await ingress.app.inject({
      url: '/webhooks/evolution/messages-upsert',
      ...json({ ...body, event: undefined }, evolutionAuth),
    });
    expect(viaUrl.statusCode).toBe(202);
    const upper = await ingress.app.inject({
      url: '/webhooks/evolution',
      ...json({ ...evolutionText({ id: 'MSG-UPPER' }), event: 'MESSAGES_UPSERT' }, evolutionAuth),
    });
    expect(upper.statusCode).toBe(202);
    expect((await ingress.storedEvents()).map((j) => j.event)).toEqual(['messages.upsert', 'messages.upsert']);
  });

  it('absorbs a redelivery as 200 duplicate, also after the first job completed and was removed', async () => {
    const body = evolutionText({ id: 'MSG-DUP' });
    const first = await ingress.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
    const again = await ingress.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ status: 'duplicate', id: first.json().id });
    await (await ingress.queues.events.getJob(first.json().id))?.remove();
    const later = await ingress.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
    expect(later.json()).toMatchObject({ status: 'duplicate' });
    expect(await ingress.queues.events.getJobCounts('waiting')).toEqual({ waiting: 0 });
  });

  it('treats each status of a message as its own event', async () => {
    for (const status of ['DELIVERY_ACK', 'READ', 'READ'] as const) {
      await ingress.app.inject({
        url: '/webhooks/evolution',
        ...json(evolutionMessageStatus({ id: 'MSG-STATUS', status }), evolutionAuth),
      });
    }
    expect((await ingress.storedEvents()).map((j) => j.event)).toEqual(['messages.update', 'messages.update']);
  });

  it('stores media without its inline base64, keeping its size', async () => {
    const base64 = Buffer.alloc(300_000, 7).toString('base64');
    const body = evolutionImage({ id: 'MSG-IMG', caption: 'Foto do pedido', base64 });
    const res = await ingress.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
    expect(res.statusCode).toBe(202);
    const job = await ingress.queues.events.getJob(res.json().id);
    const stored = JSON.stringify(job?.data);
    expect(stored.length).toBeLessThan(4096);
    expect(stored).toContain('Foto do pedido');
    expect(job?.data.payload.data.message.base64).toEqual({ omitted: 'base64', bytes: 300_000 });
  });

  it('keeps a long text that looks like base64 as it is: what a person wrote is never media', async () => {
    const pasted = Buffer.alloc(6000, 3).toString('base64');
    const res = await ingress.app.inject({
      url: '/webhooks/evolution',
      ...json(evolutionText({ id: 'MSG-PASTED', text: pasted }), evolutionAuth),
    });
    expect(res.statusCode).toBe(202);
    const job = await ingress.queues.events.getJob(res.json().id);
    expect(job?.data.payload.data.message.conversation).toBe(pasted);
  });

  it("leaves Baileys' messageContextInfo (key material) out of the job, also inside wrappers, content intact", async () => {
    const text = evolutionText({ id: 'MSG-CTX', text: 'Olá' });
    expect(text.data.message).toHaveProperty('messageContextInfo');
    const ephemeral = evolutionText({ id: 'MSG-CTX-EPH' });
    const wrapped = {
      ...ephemeral,
      data: { ...ephemeral.data, message: { ephemeralMessage: { message: ephemeral.data.message } } },
    };
    for (const body of [text, wrapped]) {
      const res = await ingress.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
      expect(res.statusCode).toBe(202);
    }
    const [plain, inWrapper] = await ingress.storedEvents();
    expect(JSON.stringify([plain, inWrapper])).not.toContain('messageContextInfo');
    expect(JSON.stringify([plain, inWrapper])).not.toContain('messageSecret');
    expect(plain?.payload).toMatchObject({ data: { key: { id: 'MSG-CTX' }, message: { conversation: 'Olá' } } });
    expect(inWrapper?.payload).toMatchObject({
      data: { message: { ephemeralMessage: { message: { conversation: expect.any(String) } } } },
    });
  });

  it('keeps a text message job to a few KB', async () => {
    const res = await ingress.app.inject({
      url: '/webhooks/evolution',
      ...json(evolutionText({ id: 'SMALL' }), evolutionAuth),
    });
    const job = await ingress.queues.events.getJob(res.json().id);
    expect(JSON.stringify(job?.data).length).toBeLessThan(2048);
  });

  it('queues group messages and connection updates; the worker decides what they become', async () => {
    const group = await ingress.app.inject({
      url: '/webhooks/evolution',
      ...json(evolutionGroupText({ id: 'G1' }), evolutionAuth),
    });
    const conn = await ingress.app.inject({
      url: '/webhooks/evolution',
      ...json(evolutionConnection({ state: 'close' }), evolutionAuth),
    });
    expect([group.statusCode, conn.statusCode]).toEqual([202, 202]);
    expect((await ingress.storedEvents()).map((j) => j.event)).toEqual(['messages.upsert', 'connection.update']);
  });

  it('answers 202 ignored for events it does not handle, and stores nothing', async () => {
    const body = { ...evolutionPresence(), event: 'labels.edit' };
    const res = await ingress.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'ignored' });
    expect(await ingress.storedEvents()).toHaveLength(0);
  });

  describe('authentication', () => {
    const body = () => evolutionText({ id: `AUTH-${Math.random()}` });
    const post = (headers: Record<string, string>, b: unknown = body()) =>
      ingress.app.inject({ url: '/webhooks/evolution', ...json(b, headers) });

    it('401 without a secret or with a wrong one, nothing stored', async () => {
      const attempts: Record<string, string>[] = [
        {},
        { 'x-webhook-token': 'wrong' },
        { authorization: 'Bearer wrong' },
      ];
      for (const headers of attempts) {
        const res = await post(headers);
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ error: 'unauthorized' });
      }
      expect(await ingress.storedEvents()).toHaveLength(0);
    });

    it('accepts the token as body apikey, x-webhook-token or Bearer', async () => {
      expect((await post({}, { ...body(), apikey: SECRETS.EVOLUTION_WEBHOOK_TOKEN })).statusCode).toBe(202);
      expect((await post({ 'x-webhook-token': SECRETS.EVOLUTION_WEBHOOK_TOKEN })).statusCode).toBe(202);
      expect((await post({ authorization: `Bearer ${SECRETS.EVOLUTION_WEBHOOK_TOKEN}` })).statusCode).toBe(202);
    });

    it('never stores the apikey the body carried', async () => {
      await post({}, { ...body(), apikey: SECRETS.EVOLUTION_WEBHOOK_TOKEN });
      expect(JSON.stringify(await ingress.storedEvents())).not.toContain(SECRETS.EVOLUTION_WEBHOOK_TOKEN);
    });

    it('verifies Evolution JWTs: signature, pinned algorithm, expiry', async () => {
      const iat = Math.floor(Date.now() / 1000);
      const claims = { iat, exp: iat + 600, app: 'evolution', action: 'webhook' };
      const key = SECRETS.EVOLUTION_WEBHOOK_JWT_KEY;
      expect((await post({ authorization: `Bearer ${jwt(key, claims)}` })).statusCode).toBe(202);
      expect((await post({ authorization: `Bearer ${jwt('other-key', claims)}` })).statusCode).toBe(401);
      expect((await post({ authorization: `Bearer ${jwt(key, { ...claims, exp: iat - 120 })}` })).statusCode).toBe(401);
      expect((await post({ authorization: `Bearer ${jwt(key, claims, 'none')}` })).statusCode).toBe(401);
    });
  });

  describe('validation', () => {
    it('400 invalid_payload with the issues for a body that is not an Evolution envelope', async () => {
      const res = await ingress.app.inject({
        url: '/webhooks/evolution',
        ...json({ event: 'messages.upsert' }, evolutionAuth),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_payload');
      expect(res.json().issues.map((i: { path: string }) => i.path)).toEqual(
        expect.arrayContaining(['instance', 'data']),
      );
    });

    it('400 for broken JSON, 415 for a body that is not JSON', async () => {
      const broken = await ingress.app.inject({ url: '/webhooks/evolution', ...json('{"event": ', evolutionAuth) });
      expect(broken.statusCode).toBe(400);
      expect(broken.json().error).toBe('invalid_json');
      const text = await ingress.app.inject({
        method: 'POST',
        url: '/webhooks/evolution',
        headers: { 'content-type': 'text/plain', ...evolutionAuth },
        payload: 'hello',
      });
      expect(text.statusCode).toBe(415);
    });

    it('400, not 5xx, for prototype-poisoning keys', async () => {
      const res = await ingress.app.inject({
        url: '/webhooks/evolution',
        ...json('{"instance":"x","data":{},"__proto__":{"polluted":true}}', evolutionAuth),
      });
      expect(res.statusCode).toBe(400);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  it('413 for a body over the limit', async () => {
    const small = await buildIngress({ WEBHOOK_BODY_LIMIT_BYTES: '2048' });
    try {
      const body = evolutionText({ text: 'x'.repeat(5000) });
      const res = await small.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
      expect(res.statusCode).toBe(413);
      expect(res.json().error).toBe('payload_too_large');
      expect(await small.storedEvents()).toHaveLength(0);
    } finally {
      await small.close();
    }
  });

  it('admits 16 MB of inline media by default', async () => {
    const base64 = Buffer.alloc(12 * 1024 * 1024, 1).toString('base64');
    const res = await ingress.app.inject({
      url: '/webhooks/evolution',
      ...json(evolutionImage({ id: 'BIG', base64 }), evolutionAuth),
    });
    expect(res.statusCode).toBe(202);
  });
});
