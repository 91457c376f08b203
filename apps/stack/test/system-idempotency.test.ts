import { createQueue, createRedisConnection, loadConfig, QUEUES } from '@zaprelay/core';
import { waitFor } from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import { STACK_SECRETS } from './support/system-env.js';
import { useSystemStack } from './support/use-system-stack.js';

const message = { instance: 'sales-01', to: '+5511966660001', text: 'Seu pedido #77 saiu para entrega' };

describe('system: POST /api/messages with an Idempotency-Key', () => {
  const f = useSystemStack({ label: 'system-idempotency' });

  const send = async (body: object, key: string) => {
    const res = await fetch(`${f.stack.ingressUrl}/api/messages`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${STACK_SECRETS.API_TOKEN}`,
        'idempotency-key': key,
      },
    });
    return { status: res.status, body: (await res.json()) as { id?: string; error?: string } };
  };

  it('a retry after the job is gone is the same send: one WhatsApp message', async () => {
    const { evolution } = f.doubles;
    const first = await send(message, 'order-77-shipped');
    expect(first.status).toBe(202);
    await waitFor('the send', () => evolution.sent.some((s) => s.text === message.text), 30_000, 100);

    // Job retention is shorter than a client's patience: the completed job is removed.
    const config = loadConfig(f.stack.env);
    const connection = createRedisConnection(config.REDIS_URL, { role: 'producer', name: 'idempotency-test' });
    const outbound = createQueue(QUEUES.outbound, { connection, config });
    try {
      const job = await outbound.getJob(first.body.id as string);
      await waitFor('the job to complete', async () => (await job?.getState()) === 'completed', 10_000, 50);
      await job?.remove();
      expect(await outbound.getJob(first.body.id as string)).toBeUndefined();

      const retry = await send(message, 'order-77-shipped');
      expect(retry).toEqual({ status: 202, body: { id: first.body.id } });
      await new Promise((r) => setTimeout(r, 1500));
      expect(evolution.sent.filter((s) => s.text === message.text)).toHaveLength(1);
      expect(await outbound.getJobCounts('waiting', 'active', 'delayed', 'completed')).toEqual({
        waiting: 0,
        active: 0,
        delayed: 0,
        completed: 0,
      });
    } finally {
      await outbound.close();
      connection.disconnect();
    }
  });

  it('concurrent requests with one key and different messages: one 202, one 422, one message sent', async () => {
    const { evolution } = f.doubles;
    const rounds = Array.from({ length: 10 }, (_, n) => ({
      key: `race-key-${n}`,
      texts: [`Aviso ${n}, primeira versão`, `Aviso ${n}, segunda versão`],
    }));
    // Every pair at once: without an atomic claim both halves of some pair see no job and are queued.
    const answers = await Promise.all(
      rounds.map(({ key, texts }) => Promise.all(texts.map((text) => send({ ...message, text }, key)))),
    );
    for (const [n, pair] of answers.entries()) {
      expect(pair.map((a) => a.status).sort(), `pair ${n}`).toEqual([202, 422]);
      expect(pair.find((a) => a.status === 422)?.body.error).toBe('idempotency_key_reused');
    }
    const ofRound = (texts: string[]) => evolution.sent.filter((s) => texts.includes(s.text));
    await waitFor('the sends', () => rounds.every(({ texts }) => ofRound(texts).length >= 1), 30_000, 100);
    await new Promise((r) => setTimeout(r, 1500));
    expect(rounds.map(({ texts }) => ofRound(texts).length)).toEqual(rounds.map(() => 1));
  });
});
