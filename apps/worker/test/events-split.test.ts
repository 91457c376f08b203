import { QUEUES, type WebhookEventJob } from '@zaprelay/core';
import { capturingLogger, evolutionText, waitFor } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

describe('a multi-item Evolution webhook: each item on its own', () => {
  let harness: RuntimeHarness;
  beforeAll(async () => {
    harness = await createRuntimeHarness({ EVOLUTION_MONITORING_ENABLED: 'false', EVOLUTION_INSTANCES: 'sales-01' });
  });
  afterAll(() => harness.close());

  it('one bad item lands in the failed set alone; its valid siblings reach the CRM', async () => {
    const logs = capturingLogger('info');
    const { runtime } = await harness.startWorker(logs.logger);
    const events = runtime.queues[QUEUES.events];
    const good = (id: string, phone: string) => evolutionText({ id, phone, text: `texto ${id}` }).data;
    const envelope = evolutionText({ id: 'BATCH-A', phone: '+5511900000011' });
    // No key at all: the adapter cannot read a message id from it.
    const bad = { message: { conversation: 'sem chave' }, messageType: 'conversation' };
    const payload = {
      ...envelope,
      data: [good('BATCH-A', '+5511900000011'), bad, good('BATCH-B', '+5511900000012')],
    };
    const stored: WebhookEventJob = {
      source: 'evolution',
      event: 'messages.upsert',
      instance: 'sales-01',
      receivedAt: Date.now(),
      payload,
    };
    const parent = await events.add('messages.upsert', stored, { jobId: 'batch-webhook' });

    await waitFor('both valid messages in the CRM', () => harness.crm.activities().length === 2, 20_000);
    const failed = await waitFor('the bad item in the failed set', async () => {
      const list = await events.getFailed();
      return list.length > 0 ? list : undefined;
    });
    expect(failed?.map((j) => j.id)).toEqual(['batch-webhook-item-1']);
    expect(failed?.[0]?.failedReason).toMatch(/invalid|id/i);
    expect(await parent.getState()).toBe('completed');
    // Not only in the failed set: a warn line names the job (and holds no message text).
    const warned = logs.lines.filter((l) => l.includes('webhook not in the gateway format'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('batch-webhook-item-1');
    expect(logs.lines.join('\n')).not.toMatch(/sem chave|texto BATCH/);
  });
});
