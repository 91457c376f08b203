import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvolutionDouble, type EvolutionDouble } from '../src/index.js';

describe('Evolution double webhooks', () => {
  const received: Array<{ url: string; body: { event: string; instance: string; data: Record<string, unknown> } }> = [];
  const receiver = Fastify();
  receiver.post('/hook/*', async (request) => {
    received.push({ url: request.url, body: request.body as (typeof received)[number]['body'] });
    return {};
  });
  let double: EvolutionDouble;

  beforeAll(async () => {
    const url = await receiver.listen({ port: 0, host: '127.0.0.1' });
    double = createEvolutionDouble({
      apiKey: 'k',
      instances: { main: 'open' },
      webhookUrl: `${url}/hook`,
      webhookByEvents: true,
    });
    await double.listen();
  });
  afterAll(async () => {
    await double.close();
    await receiver.close();
  });

  it('posts connection.update when a state changes, and nothing when it does not', async () => {
    double.setState('main', 'close');
    double.setState('main', 'close');
    await double.flushWebhooks();
    expect(received).toHaveLength(1);
    expect(received[0]?.url).toBe('/hook/connection-update');
    expect(received[0]?.body).toMatchObject({
      event: 'connection.update',
      instance: 'main',
      data: { instance: 'main', state: 'close' },
    });
    expect(double.webhooks).toEqual([{ event: 'connection.update', instance: 'main', status: 200 }]);
  });

  it('echoes a sent message as send.message with the key.id it answered', async () => {
    double.setState('main', 'open');
    const res = await fetch(`${double.url}/message/sendText/main`, {
      method: 'POST',
      headers: { apikey: 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ number: '5511987654321', text: 'hi' }),
    });
    expect(res.status).toBe(201);
    const answer = (await res.json()) as { key: { id: string; fromMe: boolean } };
    expect(answer.key.fromMe).toBe(true);
    await double.flushWebhooks();
    const echo = received.find((r) => r.body.event === 'send.message');
    expect(echo?.url).toBe('/hook/send-message');
    expect(echo?.body.data).toMatchObject({ key: { id: answer.key.id }, message: { conversation: 'hi' } });
  });
});
