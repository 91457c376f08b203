import { createMessageTrace, QUEUES } from '@zaprelay/core';
import { evolutionGroupText, evolutionLidText, evolutionText, waitFor } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeHarness, type RuntimeHarness, storedEvolutionMessage as stored } from './runtime-harness.js';

describe('message trace written by the workers', () => {
  let harness: RuntimeHarness;
  beforeAll(async () => {
    harness = await createRuntimeHarness({
      EVOLUTION_MONITORING_ENABLED: 'false',
      EVOLUTION_INSTANCES: 'sales-01',
      SUPER_CRM_RETRY_DELAY_MS: '20',
      SUPER_CRM_RETRY_MAX_DELAY_MS: '50',
      EVOLUTION_RETRY_DELAY_MS: '20',
    });
    harness.evolution.addInstance('sales-01', 'open');
  });
  afterAll(() => harness.close());

  it('records the CRM job, each attempt and its error, and the contact and activity ids', async () => {
    const { runtime, connection } = await harness.startWorker();
    const trace = createMessageTrace(connection, harness.config.QUEUE_PREFIX, 60);
    harness.crm.injectFault({ type: 'unavailable', times: 1, method: 'GET' });
    await runtime.queues[QUEUES.events].add(
      'e',
      stored(evolutionText({ id: 'TRACE-W-1', phone: '+5511900000011', text: 'Oi' })),
    );
    await runtime.queues[QUEUES.events].add('e', stored(evolutionGroupText({ id: 'TRACE-W-GRP' })));
    await waitFor('the activity', () => harness.crm.activities().length === 1, 20_000);
    await waitFor('the done entry', async () => (await trace.read('TRACE-W-1')).some((e) => e.stage === 'crm-done'));

    const entries = await trace.read('TRACE-W-1');
    const stages = entries.map((e) => e.stage);
    expect(stages[0]).toBe('queued-for-crm');
    expect(stages).toContain('crm-error');
    expect(stages.filter((s) => s === 'crm-attempt').length).toBeGreaterThanOrEqual(2);
    const activity = harness.crm.activities()[0];
    expect(entries.at(-1)).toMatchObject({
      stage: 'crm-done',
      contactId: activity?.contact_id,
      activityId: activity?.id,
      jobId: entries[0]?.jobId,
    });
    expect(entries.find((e) => e.stage === 'crm-error')).toMatchObject({ status: 503, step: 'resolve-contact' });

    await waitFor('the group skip', async () => (await trace.read('TRACE-W-GRP')).length > 0);
    expect(await trace.read('TRACE-W-GRP')).toEqual([
      expect.objectContaining({ stage: 'skipped', skipReason: 'group' }),
    ]);
  }, 40_000);

  it('an @lid message waits visibly, and is traced on to the CRM once an event tells its phone', async () => {
    const { runtime, connection } = await harness.startWorker();
    const trace = createMessageTrace(connection, harness.config.QUEUE_PREFIX, 60);
    const lid = '987654321000111@lid';
    await runtime.queues[QUEUES.events].add(
      'e',
      stored(evolutionLidText({ id: 'TRACE-LID-1', lid, withPhone: false })),
    );
    await waitFor('the wait', async () => (await trace.read('TRACE-LID-1')).length > 0);
    expect(await trace.read('TRACE-LID-1')).toEqual([
      expect.objectContaining({ stage: 'waiting', waitReason: 'lid-phone-unknown' }),
    ]);
    // A later message of that chat carries the phone: the first one goes on, and says so.
    await runtime.queues[QUEUES.events].add(
      'e',
      stored(evolutionLidText({ id: 'TRACE-LID-2', lid, phone: '+5511900000013' })),
    );
    await waitFor('both done', async () =>
      (await Promise.all(['TRACE-LID-1', 'TRACE-LID-2'].map((id) => trace.read(id)))).every(
        (entries) => entries.at(-1)?.stage === 'crm-done',
      ),
    );
    const stages = (await trace.read('TRACE-LID-1')).map((e) => e.stage);
    expect(stages.slice(0, 2)).toEqual(['waiting', 'queued-for-crm']);
    expect((await trace.read('TRACE-LID-1'))[1]).toMatchObject({ phoneFrom: 'lid' });
  }, 40_000);

  it('records an API send: each attempt and the gateway message id, under both ids', async () => {
    const { runtime, connection } = await harness.startWorker();
    const trace = createMessageTrace(connection, harness.config.QUEUE_PREFIX, 60);
    harness.evolution.injectFault({ kind: 'status', status: 503 }, { route: '/message/sendText' });
    await runtime.queues[QUEUES.outbound].add(
      'send',
      { instance: 'sales-01', to: '+5511900000012', text: 'Olá', origin: 'api', requestedAt: Date.now() },
      { jobId: 'api-trace-1' },
    );
    await waitFor('sent', async () => (await trace.read('api-trace-1')).some((e) => e.stage === 'sent'), 20_000);
    const entries = await trace.read('api-trace-1');
    const sent = entries.find((e) => e.stage === 'sent');
    expect(sent?.gatewayMessageId).toBe(harness.evolution.sent[0]?.messageId);
    expect(entries.filter((e) => e.stage === 'send-attempt').map((e) => e.attempt)).toEqual([1, 2]);
    expect(entries.find((e) => e.stage === 'send-error')).toMatchObject({ attempt: 1, status: 503 });
    expect(await trace.read(String(sent?.gatewayMessageId))).toEqual(
      expect.arrayContaining([expect.objectContaining({ stage: 'sent', jobId: 'api-trace-1' })]),
    );
  }, 40_000);
});
