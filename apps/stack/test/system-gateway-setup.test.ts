import { createWuzapiDouble, freePort, type WuzapiDouble, waitFor } from '@zaprelay/test-kit';
import { testRedisUrl } from '@zaprelay/test-kit/vitest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Doubles, startDoubles } from './support/doubles.js';
import { STACK_SECRETS } from './support/system-env.js';
import { type SystemStack, startSystemStack } from './support/system-stack.js';

const WUZAPI_TOKEN = 'stack-wuzapi-user-token';
const bearer = { authorization: `Bearer ${STACK_SECRETS.API_TOKEN}`, 'content-type': 'application/json' };

describe('system: gateways set up through the API, and kept set up by the monitor', () => {
  let doubles: Doubles;
  let wuzapi: WuzapiDouble;
  let stack: SystemStack;

  beforeAll(async () => {
    doubles = await startDoubles();
    wuzapi = createWuzapiDouble({ users: { [WUZAPI_TOKEN]: 'loja-01' } });
    await wuzapi.listen();
    const ingressPort = await freePort();
    stack = await startSystemStack({
      redisUrl: testRedisUrl(),
      ...doubles,
      ingressPort,
      label: 'system-setup',
      env: {
        WEBHOOK_BASE_URL: `http://127.0.0.1:${ingressPort}`,
        WUZAPI_API_URL: wuzapi.url,
        WUZAPI_USER_TOKENS: `Loja-01:${WUZAPI_TOKEN}`,
        WUZAPI_HMAC_KEY: 'stack-wuzapi-hmac-key-0123456789abcdef',
        EVOLUTION_MONITORING_ENABLED: 'true',
        EVOLUTION_MONITORING_INTERVAL_MS: '1000',
        WEBHOOK_SETUP_CHECK_INTERVAL_MS: '1000',
      },
    });
  });
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => console.log(stack?.outputTail()));
  });
  afterAll(async () => {
    await stack?.close();
    await wuzapi?.close();
    await doubles?.close();
  });

  const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${stack.ingressUrl}${path}`, {
      method,
      headers: bearer,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const connectionUpdates = () => doubles.evolution.webhooks.filter((w) => w.event === 'connection.update');

  it('sets up both gateways, and restores the Evolution webhook a restart wiped, with an alert', async () => {
    const { evolution } = doubles;
    expect(await api('POST', '/api/setup/evolution', { instance: 'Sales-01' })).toMatchObject({
      status: 200,
      body: { instance: 'sales-01', kept: true },
    });
    expect(await api('POST', '/api/setup/wuzapi', { instance: 'LOJA-01' })).toMatchObject({
      status: 200,
      body: { instance: 'loja-01', kept: true, set: { hmacKey: true } },
    });
    expect((await api('GET', '/api/setup/evolution?instance=sales-01')).body).toMatchObject({ matches: true });
    expect((await api('GET', '/api/setup/wuzapi?instance=loja-01')).body).toMatchObject({ matches: true });
    expect(wuzapi.session('loja-01').webhook).toBe(
      `${stack.ingressUrl}/webhooks/wuzapi?token=${STACK_SECRETS.WUZAPI_WEBHOOK_TOKEN}`,
    );

    // What Evolution now posts, the ingress accepts: the config carries the right URL and token.
    evolution.setState('sales-01', 'connecting');
    await evolution.flushWebhooks();
    expect(connectionUpdates().at(-1)).toMatchObject({ instance: 'sales-01', status: 202 });

    // A restart wipes the config: Evolution posts nothing any more, until the monitor puts it back.
    evolution.loseWebhookConfig('sales-01');
    const before = connectionUpdates().length;
    evolution.setState('sales-01', 'open');
    await evolution.flushWebhooks();
    expect(connectionUpdates()).toHaveLength(before);

    await waitFor('webhook restored', () => evolution.webhookConfig('sales-01') !== undefined, 15_000);
    expect((await api('GET', '/api/setup/evolution?instance=sales-01')).body).toMatchObject({
      matches: true,
      differences: [],
    });
    const alert = await waitFor('restore alert on /api/status', async () => {
      const alerts = (await api('GET', '/api/status')).body.alerts as Array<{ subject: string; reason: string }>;
      return alerts.find((a) => a.subject === 'webhook:evolution:sales-01');
    });
    expect(alert?.reason).toMatch(/lost the webhook of sales-01 .*re-applied/);

    evolution.setState('sales-01', 'close');
    await evolution.flushWebhooks();
    expect(connectionUpdates().at(-1)).toMatchObject({ instance: 'sales-01', status: 202 });
    // The WUZAPI user is watched like the Evolution instance: on /api/status with its history.
    const wuzapiHealth = await waitFor('the WUZAPI user on /api/status', async () => {
      const instances = (await api('GET', '/api/status')).body.instances as Array<Record<string, unknown>>;
      return instances.find((i) => i.instance === 'loja-01' && (i.history as unknown[]).length > 0);
    });
    expect(wuzapiHealth).toMatchObject({ source: 'wuzapi', state: 'open', status: 'healthy' });
    // The WUZAPI user was kept all along: nothing to restore there.
    expect((await api('GET', '/api/status')).body.alerts).not.toContainEqual(
      expect.objectContaining({ subject: 'webhook:wuzapi:loja-01' }),
    );
  }, 90_000);
});
