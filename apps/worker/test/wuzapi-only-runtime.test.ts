import { QUEUES } from '@zaprelay/core';
import { createWuzapiDouble, waitFor } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

describe('a worker for a WUZAPI-only deployment (no EVOLUTION_API_URL)', () => {
  const wuzapi = createWuzapiDouble({ users: { 'shop-token': 'shop' } });
  let harness: RuntimeHarness;
  beforeAll(async () => {
    harness = await createRuntimeHarness({
      EVOLUTION_API_URL: '',
      EVOLUTION_MONITORING_ENABLED: 'false',
      WUZAPI_API_URL: await wuzapi.listen(),
      WUZAPI_USER_TOKENS: 'shop:shop-token',
    });
  });
  afterAll(async () => {
    await harness.close();
    await wuzapi.close();
  });

  it('sends through WUZAPI, and fails for good a send for an instance only Evolution could serve', async () => {
    const { runtime } = await harness.startWorker();
    const outbound = runtime.queues[QUEUES.outbound];
    const viaWuzapi = await outbound.add('send', {
      instance: 'shop',
      to: '+5511987654321',
      text: 'Oi',
      origin: 'api',
      requestedAt: Date.now(),
    });
    const viaEvolution = await outbound.add('send', {
      instance: 'other',
      to: '+5511987654321',
      text: 'Oi',
      origin: 'api',
      requestedAt: Date.now(),
    });

    await waitFor('both sends finished', async () => {
      const states = await Promise.all([viaWuzapi, viaEvolution].map((j) => outbound.getJobState(String(j.id))));
      return states[0] === 'completed' && states[1] === 'failed';
    });
    expect(wuzapi.sent).toEqual([expect.objectContaining({ user: 'shop', phone: '5511987654321', body: 'Oi' })]);
    const failed = await outbound.getJob(String(viaEvolution.id));
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/EVOLUTION_API_URL is not set/);
    await waitFor('the sent message in the CRM', () => harness.crm.activities().length === 1);
    expect(harness.crm.activities()[0]).toMatchObject({ direction: 'outbound', description: 'Oi' });
  });
});
