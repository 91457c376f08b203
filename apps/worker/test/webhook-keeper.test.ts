import { createLogger, monitorKeys, type WebhookSetupRecord } from '@zaprelay/core';
import {
  applyEvolutionSetup,
  applyWuzapiSetup,
  createEvolutionClient,
  createWuzapiClient,
} from '@zaprelay/gateway-clients';
import { createWuzapiDouble, waitFor } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitorStore } from '../src/monitor/monitor-store.js';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

const HMAC_KEY = 'h'.repeat(32);

describe('the monitor keeps the webhooks set up through /api/setup in place', () => {
  const wuzapi = createWuzapiDouble({ users: { 'tok-a': 'loja-a' } });
  let harness: RuntimeHarness;
  beforeAll(async () => {
    harness = await createRuntimeHarness({
      EVOLUTION_INSTANCES: 'Vendas-01',
      EVOLUTION_MONITORING_INTERVAL_MS: '1000',
      WEBHOOK_SETUP_CHECK_INTERVAL_MS: '1000',
      ALERT_QUIET_PERIOD_MS: '0',
      WEBHOOK_BASE_URL: 'https://zaprelay.example.com',
      EVOLUTION_WEBHOOK_TOKEN: 'evo-webhook-token',
      WUZAPI_API_URL: await wuzapi.listen(),
      WUZAPI_USER_TOKENS: 'loja-a:tok-a',
      WUZAPI_HMAC_KEY: HMAC_KEY,
    });
    harness.evolution.addInstance('Vendas-01', 'open');
  });
  afterAll(async () => {
    await harness.close();
    await wuzapi.close();
  });

  it('re-applies a webhook a gateway lost, with an alert each time, and leaves a kept one alone', async () => {
    const { config } = harness;
    const logger = createLogger(config, { name: 'test' });
    // What POST /api/setup/* does: set the webhook, then record it as kept.
    await applyEvolutionSetup(createEvolutionClient(config, logger), 'Vendas-01', config);
    await applyWuzapiSetup(createWuzapiClient(config, logger), 'loja-a', 'tok-a', config);
    const { connection } = await harness.startWorker();
    const keys = monitorKeys(config.QUEUE_PREFIX);
    const record = (gateway: 'evolution' | 'wuzapi', instance: string): WebhookSetupRecord => ({
      gateway,
      instance,
      appliedAt: new Date().toISOString(),
    });
    await connection.hset(keys.webhookSetups, {
      'evolution:vendas-01': JSON.stringify(record('evolution', 'Vendas-01')),
      'wuzapi:loja-a': JSON.stringify(record('wuzapi', 'loja-a')),
    });
    const store = createMonitorStore(connection, config.QUEUE_PREFIX, 100);
    const webhookAlerts = async () => (await store.alerts()).filter((a) => a.subject.startsWith('webhook:'));
    const findCalls = () => harness.evolution.requests.filter((r) => r.path === '/webhook/find/Vendas-01').length;

    // Kept in place: read back, nothing re-applied, no alert.
    await waitFor('a read-back', () => findCalls() >= 1, 10_000);
    const setsBefore = harness.evolution.requests.filter((r) => r.path === '/webhook/set/Vendas-01').length;
    await waitFor('another read-back', () => findCalls() >= 2, 10_000);
    expect(harness.evolution.requests.filter((r) => r.path === '/webhook/set/Vendas-01')).toHaveLength(setsBefore);
    expect(await webhookAlerts()).toEqual([]);

    harness.evolution.loseWebhookConfig('Vendas-01');
    await waitFor(
      'Evolution webhook restored',
      () => harness.evolution.webhookConfig('Vendas-01') !== undefined,
      10_000,
    );
    expect(harness.evolution.webhookConfig('Vendas-01')).toMatchObject({
      url: 'https://zaprelay.example.com/webhooks/evolution',
      headers: { 'x-webhook-token': 'evo-webhook-token' },
    });
    await waitFor('alert stored', async () => (await webhookAlerts()).length === 1, 5_000);
    expect((await webhookAlerts())[0]).toMatchObject({
      subject: 'webhook:evolution:vendas-01',
      to: 'healthy',
      reason: expect.stringMatching(/lost the webhook of Vendas-01 \(no webhook configured\); zaprelay re-applied it/),
    });

    // WUZAPI forgets a user's webhook (and its key): both come back.
    wuzapi.session('loja-a').webhook = '';
    wuzapi.session('loja-a').hmacKey = undefined;
    await waitFor('WUZAPI webhook restored', () => wuzapi.session('loja-a').webhook !== '', 10_000);
    expect(wuzapi.session('loja-a').hmacKey).toBe(HMAC_KEY);
    await waitFor('second alert', async () => (await webhookAlerts()).length === 2, 5_000);
    expect((await webhookAlerts())[0]).toMatchObject({ subject: 'webhook:wuzapi:loja-a', to: 'healthy' });

    // Evolution refuses to take it back: an alert says so, and the next interval tries again.
    harness.evolution.injectFault({ kind: 'status', status: 500 }, { route: '/webhook/set', count: 1 });
    harness.evolution.loseWebhookConfig('Vendas-01');
    await waitFor('failure alert', async () => (await webhookAlerts()).length === 3, 10_000);
    expect((await webhookAlerts())[0]).toMatchObject({
      subject: 'webhook:evolution:vendas-01',
      to: 'down',
      reason: expect.stringMatching(/re-applying it failed/),
    });
    await waitFor('restored on the next try', () => harness.evolution.webhookConfig('Vendas-01') !== undefined, 10_000);
  }, 60_000);
});
