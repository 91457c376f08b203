import { QUEUES } from '@zaprelay/core';
import { createWuzapiDouble, waitFor } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitorStore } from '../src/monitor/monitor-store.js';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';
import { trackerFor } from './tracker-probe.js';

describe('WUZAPI users watched and synced like Evolution instances', () => {
  const wuzapi = createWuzapiDouble({ users: { 'tok-a': 'loja-a', 'tok-b': 'loja-b' } });
  let harness: RuntimeHarness;
  beforeAll(async () => {
    harness = await createRuntimeHarness({
      // No Evolution at all: WUZAPI alone must get the monitor and the contact sync.
      EVOLUTION_API_URL: '',
      EVOLUTION_MONITORING_INTERVAL_MS: '1000',
      ALERT_QUIET_PERIOD_MS: '60000',
      WUZAPI_API_URL: await wuzapi.listen(),
      // Spelled as an operator might: the instance is `loja-a` everywhere.
      WUZAPI_USER_TOKENS: 'Loja-A:tok-a,loja-b:tok-b',
    });
  });
  afterAll(async () => {
    await harness.close();
    await wuzapi.close();
  });

  it('checks every user session: history, response time, down with an alert when logged out', async () => {
    const { connection } = await harness.startWorker();
    const store = createMonitorStore(connection, harness.config.QUEUE_PREFIX, 1000);
    await waitFor('both users checked twice', async () => (await store.history('instance:loja-b')).length >= 2, 15_000);
    expect(await store.instanceStatus('loja-a')).toMatchObject({
      instance: 'loja-a',
      source: 'wuzapi',
      state: 'open',
      status: 'healthy',
      responseTimeMs: expect.any(Number),
    });

    wuzapi.session('loja-b').loggedIn = false;
    await waitFor('loja-b down', async () => (await store.instanceStatus('loja-b'))?.status === 'down', 10_000);
    expect(await store.instanceStatus('loja-b')).toMatchObject({ source: 'wuzapi', state: 'close' });
    const alerts = await store.alerts();
    expect(alerts).toEqual([expect.objectContaining({ subject: 'instance:loja-b', to: 'down' })]);
    // A webhook naming the instance in another case lands on the same health record.
    const { tracker } = trackerFor(connection, harness.config);
    await tracker.observeInstance('LOJA-B', 'wuzapi', { at: new Date().toISOString(), state: 'open' });
    expect(await store.instanceStatus('loja-b')).toMatchObject({ state: 'open' });
    expect(await connection.hexists(`${harness.config.QUEUE_PREFIX}:monitor:instances`, 'LOJA-B')).toBe(0);
  }, 40_000);

  it("syncs a user's WUZAPI contact list into the CRM through the contact-sync worker", async () => {
    const { runtime } = await harness.startWorker();
    wuzapi.session('loja-a').contacts = [
      { jid: '5511987650001@s.whatsapp.net', FullName: 'Ana Agenda', PushName: 'Ana' },
      { jid: '5511987650002@s.whatsapp.net', PushName: 'Bruno' },
      { jid: '120363025555555555@g.us', FullName: 'Um grupo' },
      { jid: '123456789012345@lid', PushName: 'Sem telefone' },
    ];
    const syncQueue = runtime.queues[QUEUES.contactSync];
    const job = await syncQueue.add('contact-sync', { instance: 'LOJA-A', origin: 'api', requestedAt: Date.now() });
    await waitFor('sync complete', async () => (await syncQueue.getJobState(job.id as string)) === 'completed', 20_000);
    expect((await syncQueue.getJob(job.id as string))?.returnvalue).toEqual({
      instance: 'LOJA-A',
      total: 2,
      synced: 2,
      failed: 0,
      skipped: 2,
    });
    expect(
      harness.crm
        .contacts()
        .map((c) => [c.phone, c.name])
        .sort(),
    ).toEqual([
      ['+5511987650001', 'Ana Agenda'],
      ['+5511987650002', 'Bruno'],
    ]);
    expect(wuzapi.requests.filter((r) => r.path === '/user/contacts')).toHaveLength(1);
  }, 40_000);
});
