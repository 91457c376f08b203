import { monitorKeys } from '@zaprelay/core';
import { createEvolutionDouble, createWuzapiDouble } from '@zaprelay/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildIngress, type Ingress, SECRETS } from './ingress-harness.js';

const bearer = { authorization: `Bearer ${SECRETS.API_TOKEN}` };
const post = (url: string, body: unknown, headers: Record<string, string> = bearer) => ({
  method: 'POST' as const,
  url,
  headers: { 'content-type': 'application/json', ...headers },
  payload: JSON.stringify(body),
});
const LONG_HMAC_KEY = 'k'.repeat(40);
const BASE = 'https://zaprelay.example.com/';

describe('/api/setup', () => {
  const evolution = createEvolutionDouble({ apiKey: 'evo-key', instances: { 'Vendas-01': 'open' } });
  const wuzapi = createWuzapiDouble({ users: { 'tok-a': 'loja-a', 'tok-b': 'loja-b' } });
  let gateways: Record<string, string>;
  let ingress: Ingress | undefined;
  const start = async (overrides: Record<string, string> = {}) => {
    ingress = await buildIngress({ ...gateways, ...overrides });
    return ingress;
  };

  beforeAll(async () => {
    gateways = {
      EVOLUTION_API_URL: await evolution.listen(),
      EVOLUTION_API_KEY: 'evo-key',
      EVOLUTION_INSTANCES: 'Vendas-01',
      WUZAPI_API_URL: await wuzapi.listen(),
      WUZAPI_USER_TOKENS: 'Loja-A:tok-a,loja-b:tok-b',
      WUZAPI_HMAC_KEY: LONG_HMAC_KEY,
      WUZAPI_HMAC_KEYS: `loja-b:${'b'.repeat(32)}`,
      WEBHOOK_BASE_URL: BASE,
    };
  });
  afterEach(async () => {
    await ingress?.close();
    ingress = undefined;
  });
  afterAll(async () => {
    await evolution.close();
    await wuzapi.close();
  });

  it('401 without the bearer token, on every setup route', async () => {
    const { app } = await start();
    for (const [method, url] of [
      ['POST', '/api/setup/evolution'],
      ['GET', '/api/setup/evolution?instance=vendas-01'],
      ['POST', '/api/setup/wuzapi'],
      ['GET', '/api/setup/wuzapi?instance=loja-a'],
    ] as const) {
      const res = await app.inject({ method, url, headers: { authorization: 'Bearer wrong' } });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it('sets the Evolution webhook in one call, answers what it set, and GET compares it with what Evolution has', async () => {
    const { app, redis, config } = await start();
    const res = await app.inject(post('/api/setup/evolution', { instance: 'VENDAS-01' }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      gateway: 'evolution',
      instance: 'Vendas-01',
      kept: true,
      set: {
        enabled: true,
        url: 'https://zaprelay.example.com/webhooks/evolution',
        byEvents: false,
        headers: { 'x-webhook-token': '***', jwt_key: '***' },
        events: expect.arrayContaining(['MESSAGES_UPSERT', 'SEND_MESSAGE', 'CONNECTION_UPDATE']),
      },
    });
    // Secrets go to the gateway, never back in the answer.
    expect(res.body).not.toContain(SECRETS.EVOLUTION_WEBHOOK_TOKEN);
    expect(evolution.webhookConfig('Vendas-01')).toMatchObject({
      url: 'https://zaprelay.example.com/webhooks/evolution',
      headers: { 'x-webhook-token': SECRETS.EVOLUTION_WEBHOOK_TOKEN, jwt_key: SECRETS.EVOLUTION_WEBHOOK_JWT_KEY },
      enabled: true,
    });
    expect(await redis.hget(monitorKeys(config.QUEUE_PREFIX).webhookSetups, 'evolution:vendas-01')).toContain(
      '"instance":"Vendas-01"',
    );

    const check = await app.inject({ url: '/api/setup/evolution?instance=vendas-01', headers: bearer });
    expect(check.statusCode).toBe(200);
    expect(check.json()).toMatchObject({ instance: 'Vendas-01', matches: true, differences: [], kept: true });

    evolution.loseWebhookConfig('Vendas-01');
    const lost = (await app.inject({ url: '/api/setup/evolution?instance=Vendas-01', headers: bearer })).json();
    expect(lost).toMatchObject({ matches: false, actual: null, differences: ['no webhook configured'] });
  });

  it('sets a WUZAPI user webhook with its own HMAC key, and GET says whether it matches', async () => {
    const { app } = await start();
    const res = await app.inject(post('/api/setup/wuzapi', { instance: 'LOJA-B' }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      gateway: 'wuzapi',
      instance: 'loja-b',
      kept: true,
      set: {
        url: 'https://zaprelay.example.com/webhooks/wuzapi?token=***',
        events: expect.arrayContaining(['Message', 'ReadReceipt']),
        hmacKey: true,
      },
    });
    expect(wuzapi.session('loja-b')).toMatchObject({
      webhook: `https://zaprelay.example.com/webhooks/wuzapi?token=${SECRETS.WUZAPI_WEBHOOK_TOKEN}`,
      hmacKey: 'b'.repeat(32),
    });
    // The other user got nothing, and uses the global key once set up.
    expect(wuzapi.session('loja-a').webhook).toBe('');
    expect((await app.inject(post('/api/setup/wuzapi', { instance: 'Loja-A' }))).statusCode).toBe(200);
    expect(wuzapi.session('loja-a').hmacKey).toBe(LONG_HMAC_KEY);

    const check = (await app.inject({ url: '/api/setup/wuzapi?instance=loja-b', headers: bearer })).json();
    expect(check).toMatchObject({ instance: 'loja-b', matches: true, kept: true });
    wuzapi.session('loja-b').webhook = 'https://elsewhere.example.com/hook';
    const changed = (await app.inject({ url: '/api/setup/wuzapi?instance=loja-b', headers: bearer })).json();
    expect(changed).toMatchObject({ matches: false, differences: ['url differs'] });
  });

  it('refuses with a clear 409 when WEBHOOK_BASE_URL is not set, and changes nothing at the gateway', async () => {
    const { app } = await start({ WEBHOOK_BASE_URL: '' });
    const requestsBefore = evolution.requests.length;
    for (const [url, instance] of [
      ['/api/setup/evolution', 'Vendas-01'],
      ['/api/setup/wuzapi', 'loja-a'],
    ] as const) {
      const res = await app.inject(post(url, { instance }));
      expect(res.statusCode, url).toBe(409);
      expect(res.json()).toMatchObject({
        error: 'webhook_base_url_missing',
        message: expect.stringMatching(/WEBHOOK_BASE_URL/),
      });
      const get = await app.inject({ url: `${url}?instance=${instance}`, headers: bearer });
      expect(get.statusCode).toBe(409);
    }
    expect(evolution.requests.length).toBe(requestsBefore);
  });

  it('says what is wrong: bad body, unknown instance, unconfigured gateway, secrets the gateway would refuse', async () => {
    const { app } = await start({ WUZAPI_HMAC_KEYS: 'loja-b:short-key' });
    const bad = await app.inject(post('/api/setup/evolution', { name: 'x' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_payload', issues: [{ path: 'instance' }] });
    expect((await app.inject({ url: '/api/setup/wuzapi', headers: bearer })).statusCode).toBe(400);

    const noEvolutionInstance = await app.inject(post('/api/setup/evolution', { instance: 'ghost' }));
    expect(noEvolutionInstance.statusCode).toBe(404);
    expect(noEvolutionInstance.json()).toMatchObject({ error: 'instance_not_found' });
    const noWuzapiUser = await app.inject(post('/api/setup/wuzapi', { instance: 'ghost' }));
    expect(noWuzapiUser.statusCode).toBe(404);
    expect(noWuzapiUser.json().message).toMatch(/WUZAPI_USER_TOKENS/);

    const short = await app.inject(post('/api/setup/wuzapi', { instance: 'loja-b' }));
    expect(short.statusCode).toBe(409);
    expect(short.json()).toMatchObject({ error: 'hmac_key_too_short' });

    await ingress?.close();
    const bare = await start({ EVOLUTION_API_URL: '', WUZAPI_API_URL: '' });
    for (const url of ['/api/setup/evolution', '/api/setup/wuzapi']) {
      const res = await bare.app.inject(post(url, { instance: 'loja-a' }));
      expect(res.statusCode, url).toBe(409);
      expect(res.json()).toMatchObject({ error: 'gateway_not_configured' });
    }

    await ingress?.close();
    const noSecret = await start({ EVOLUTION_WEBHOOK_TOKEN: '', EVOLUTION_WEBHOOK_JWT_KEY: '' });
    const refused = await noSecret.app.inject(post('/api/setup/evolution', { instance: 'Vendas-01' }));
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: 'webhook_secret_missing' });
  });

  it('answers 502 with the reason when the gateway refuses zaprelay', async () => {
    const { app } = await start({ EVOLUTION_API_KEY: 'not-the-key' });
    const res = await app.inject(post('/api/setup/evolution', { instance: 'Vendas-01' }));
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ error: 'gateway_refused', message: expect.stringMatching(/EVOLUTION_API_KEY/) });
  });
});
