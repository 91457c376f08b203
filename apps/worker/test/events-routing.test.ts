import { QUEUES, type WebhookEventJob } from '@zaprelay/core';
import {
  evolutionGroupText,
  evolutionStatusBroadcast,
  evolutionText,
  superCrmSendRequested,
  waitFor,
} from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

const stored = (
  source: WebhookEventJob['source'],
  event: string,
  instance: string,
  payload: unknown,
): WebhookEventJob => ({
  source,
  event,
  instance,
  receivedAt: Date.now(),
  payload,
});

describe('events worker: what each stored webhook becomes', () => {
  let harness: RuntimeHarness;
  beforeAll(async () => {
    harness = await createRuntimeHarness({ EVOLUTION_MONITORING_ENABLED: 'false', EVOLUTION_INSTANCES: 'sales-01' });
    harness.evolution.addInstance('sales-01', 'open');
  });
  afterAll(() => harness.close());

  it('syncs person chats, counts skipped groups and broadcasts, and sends what the CRM asks for once', async () => {
    const { runtime, registry } = await harness.startWorker();
    const events = runtime.queues[QUEUES.events];
    await events.add(
      'e',
      stored(
        'evolution',
        'messages.upsert',
        'sales-01',
        evolutionText({ id: 'IN-1', phone: '+5511900000001', text: 'Oi' }),
      ),
    );
    await events.add('e', stored('evolution', 'messages.upsert', 'sales-01', evolutionGroupText({ id: 'GRP-1' })));
    await events.add('e', stored('evolution', 'messages.upsert', 'sales-01', evolutionStatusBroadcast({ id: 'ST-1' })));
    const ask = superCrmSendRequested({ id: 'evt_send_1', phone: '+5511900000002', text: 'Sua proposta' });
    await events.add('e', stored('supercrm', ask.type, 'supercrm', ask));
    await events.add('e', stored('supercrm', ask.type, 'supercrm', ask)); // redelivered by the CRM

    await waitFor('two activities in the CRM', () => harness.crm.activities().length === 2, 20_000);
    const activities = harness.crm.activities();
    expect(activities.map((a) => [a.direction, a.description]).sort()).toEqual([
      ['inbound', 'Oi'],
      ['outbound', 'Sua proposta'],
    ]);
    expect(harness.evolution.sent).toHaveLength(1);
    expect(harness.evolution.sent[0]).toMatchObject({ instance: 'sales-01', text: 'Sua proposta' });

    const skipped = (await registry.getSingleMetric('zaprelay_events_skipped_total')?.get())?.values ?? [];
    expect(skipped.find((v) => v.labels.reason === 'group')?.value).toBe(1);
    expect(skipped.find((v) => v.labels.reason === 'status-broadcast')?.value).toBe(1);
    // Counted when the CRM job completes, a moment after its activity reached the CRM.
    const synced = async () =>
      Object.fromEntries(
        ((await registry.getSingleMetric('zaprelay_messages_synced_total')?.get())?.values ?? []).map((v) => [
          v.labels.direction,
          v.value,
        ]),
      );
    await waitFor('both messages counted', async () => Object.keys(await synced()).length === 2, 5000);
    expect(await synced()).toEqual({ inbound: 1, outbound: 1 });
    expect(
      harness.crm
        .contacts()
        .map((c) => c.phone)
        .sort(),
    ).toEqual(['+5511900000001', '+5511900000002']);
  }, 40_000);

  it('keeps a CRM send request it cannot act on in the failed set, and ignores event types it does not handle', async () => {
    const { runtime } = await harness.startWorker();
    const events = runtime.queues[QUEUES.events];
    const bad = { ...superCrmSendRequested({ id: 'evt_bad_1', text: 'x' }), data: { phone: '5511', text: '' } };
    const badJob = await events.add('e', stored('supercrm', bad.type, 'supercrm', bad));
    const other = { id: 'evt_other_1', type: 'deal.won', data: {} };
    const otherJob = await events.add('e', stored('supercrm', other.type, 'supercrm', other));

    await waitFor('both jobs finished', async () => {
      const states = await Promise.all([badJob, otherJob].map((j) => events.getJobState(String(j.id))));
      return states[0] === 'failed' && states[1] === 'completed';
    });
    const failed = await events.getJob(String(badJob.id));
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/invalid SuperCRM event: .*data\.phone.*data\.text/);
    expect((await events.getJob(String(otherJob.id)))?.returnvalue).toEqual({ handled: 0 });
  });
});
