import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, loadConfig } from '@zaprelay/core';
import { createEvolutionDouble } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvolutionClient, createWuzapiClient } from '../src/index.js';

const logger = createLogger({ LOG_LEVEL: 'silent' });

/** A bare HTTP server answering JSON: here it plays a gateway version the doubles do not (or a webhook receiver). */
function plainServer(answer: (req: IncomingMessage, body: string) => unknown) {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer(req, body)));
    });
  });
  return { server, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function listen(server: ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Older and newer gateway versions answer the same calls in other shapes: one server per shape. */
describe('webhook-config and session calls read every version the gateways ship', () => {
  const answers = new Map<string, unknown>();
  const server = plainServer((req) => answers.get(`${req.method} ${req.url?.split('?')[0]}`) ?? null);
  let url: string;
  beforeAll(async () => {
    url = await listen(server.server);
  });
  afterAll(() => server.close());

  const evolution = () => createEvolutionClient(loadConfig({ EVOLUTION_API_URL: url, EVOLUTION_API_KEY: 'k' }), logger);
  const wuzapi = () => createWuzapiClient(loadConfig({ WUZAPI_API_URL: url }), logger);

  it('Evolution /webhook/find: the v2 row, a wrapped row, v1 flags, and null for none', async () => {
    answers.set('GET /webhook/find/a', {
      id: 'x',
      url: 'https://z/webhooks/evolution',
      enabled: true,
      events: ['MESSAGES_UPSERT'],
      headers: { 'x-webhook-token': 't' },
      webhookByEvents: false,
      webhookBase64: false,
    });
    expect(await evolution().findWebhook('a')).toEqual({
      url: 'https://z/webhooks/evolution',
      enabled: true,
      events: ['MESSAGES_UPSERT'],
      headers: { 'x-webhook-token': 't' },
      byEvents: false,
    });
    answers.set('GET /webhook/find/b', { webhook: { url: 'https://z', enabled: true, webhook_by_events: true } });
    expect(await evolution().findWebhook('b')).toMatchObject({ url: 'https://z', byEvents: true, headers: undefined });
    answers.set('GET /webhook/find/c', null);
    expect(await evolution().findWebhook('c')).toBeUndefined();
  });

  it('WUZAPI /session/status in both spellings, /webhook with an empty subscription, /user/contacts names', async () => {
    answers.set('GET /session/status', { code: 200, data: { Connected: true, LoggedIn: false }, success: true });
    expect(await wuzapi().sessionStatus('t')).toMatchObject({ connected: true, loggedIn: false });
    answers.set('GET /webhook', { code: 200, data: { webhook: '', subscribe: [''] }, success: true });
    expect(await wuzapi().getWebhook('t')).toEqual({ url: '', events: [] });
    answers.set('GET /user/contacts', {
      code: 200,
      data: {
        '5511987650001@s.whatsapp.net': { Found: true, FirstName: 'Ana', FullName: '', PushName: 'Aninha' },
        '5511987650002@s.whatsapp.net': { Found: true, FirstName: '', FullName: '', PushName: '' },
      },
      success: true,
    });
    expect(await wuzapi().contacts('t')).toEqual([
      { jid: '5511987650001@s.whatsapp.net', name: 'Aninha' },
      { jid: '5511987650002@s.whatsapp.net', name: undefined },
    ]);
  });
});

describe('the Evolution double posts by the config /webhook/set gave it', () => {
  const received: Array<{ url: string; authorization?: string; token?: string; event: string }> = [];
  const receiver = plainServer((req, body) => {
    received.push({
      url: req.url ?? '',
      authorization: req.headers.authorization,
      token: req.headers['x-webhook-token'] as string | undefined,
      event: (JSON.parse(body) as { event: string }).event,
    });
    return {};
  });
  const double = createEvolutionDouble({ apiKey: 'k', instances: { main: 'open' } });
  let client: ReturnType<typeof createEvolutionClient>;
  let hook: string;
  beforeAll(async () => {
    hook = `${await listen(receiver.server)}/hook`;
    client = createEvolutionClient(
      loadConfig({ EVOLUTION_API_URL: await double.listen(), EVOLUTION_API_KEY: 'k' }),
      logger,
    );
  });
  afterAll(async () => {
    await double.close();
    await receiver.close();
  });

  it('sends only subscribed events, turns jwt_key into a Bearer JWT, and posts nothing once the config is lost', async () => {
    await client.setWebhook('main', {
      enabled: true,
      url: hook,
      headers: { 'x-webhook-token': 'tok', jwt_key: 'jwt-secret' },
      byEvents: true,
      base64: false,
      events: ['CONNECTION_UPDATE'],
    });
    await client.sendText('main', { number: '5511987654321', text: 'not subscribed' });
    double.setState('main', 'close');
    await double.flushWebhooks();
    expect(received).toEqual([
      {
        url: '/hook/connection-update',
        token: 'tok',
        authorization: expect.stringMatching(/^Bearer ey/),
        event: 'connection.update',
      },
    ]);
    expect(await client.findWebhook('main')).toMatchObject({
      url: hook,
      events: ['CONNECTION_UPDATE'],
      byEvents: true,
    });

    double.loseWebhookConfig('main');
    expect(await client.findWebhook('main')).toBeUndefined();
    double.setState('main', 'open');
    await double.flushWebhooks();
    expect(received).toHaveLength(1);
    // Unknown instances are 404, as Evolution answers them.
    await expect(client.findWebhook('ghost')).rejects.toMatchObject({ status: 404 });
  });
});
