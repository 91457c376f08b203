import { MAX_SEND_TEXT_LENGTH, QUEUES, type WebhookEventJob } from '@zaprelay/core';
import { evolutionText, superCrmSendRequested, waitFor } from '@zaprelay/test-kit';
import type { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

const stored = (source: WebhookEventJob['source'], event: string, instance: string, payload: unknown) =>
  ({ source, event, instance, receivedAt: Date.now(), payload }) satisfies WebhookEventJob;

/** Issue 10, point 7: a CRM send goes where the agent meant, or the agent is told why not. */
describe('sends the CRM asks for', () => {
  let harness: RuntimeHarness;
  let events: Queue;
  let outbound: Queue;

  beforeAll(async () => {
    harness = await createRuntimeHarness({
      EVOLUTION_MONITORING_ENABLED: 'false',
      EVOLUTION_INSTANCES: 'sales-01,sales-02',
      EVOLUTION_RETRY_DELAY_MS: '10',
    });
    harness.evolution.addInstance('sales-01', 'open');
    harness.evolution.addInstance('sales-02', 'open');
    const { runtime } = await harness.startWorker();
    events = runtime.queues[QUEUES.events];
    outbound = runtime.queues[QUEUES.outbound];
  });
  afterAll(() => harness.close());

  const ask = async (o: Parameters<typeof superCrmSendRequested>[0]): Promise<Job> => {
    const event = superCrmSendRequested(o);
    return events.add('e', stored('supercrm', event.type, 'supercrm', event));
  };
  const activitiesOf = (contactId: string) => harness.crm.activities().filter((a) => a.contact_id === contactId);

  it('without `instance`: through the instance that last talked with the phone, else the first configured', async () => {
    const talked = harness.crm.seedContact({ name: 'Talked on sales-02', phone: '+5541991110001' });
    const fresh = harness.crm.seedContact({ name: 'Never talked', phone: '+5541991110002' });
    // The customer wrote to sales-02, from the 12-digit JID WhatsApp uses for this mobile.
    const inbound = evolutionText({ id: 'IN-S2', phone: '+554191110001', text: 'Oi', instance: 'sales-02' });
    await events.add('e', stored('evolution', 'messages.upsert', 'sales-02', inbound));
    await waitFor('the inbound activity', () => activitiesOf(talked.id).length === 1, 20_000);

    await ask({ id: 'evt_s_1', contactId: talked.id, phone: talked.phone, text: 'Resposta' });
    await ask({ id: 'evt_s_2', contactId: fresh.id, phone: fresh.phone, text: 'Primeiro contato' });
    await waitFor('both sent', () => harness.evolution.sent.length === 2, 20_000);
    const byText = Object.fromEntries(harness.evolution.sent.map((s) => [s.text, s.instance]));
    expect(byText).toEqual({ Resposta: 'sales-02', 'Primeiro contato': 'sales-01' });
  }, 40_000);

  it('files the outbound activity on the contact the CRM named, even for a phone the CRM has under no contact', async () => {
    const named = harness.crm.seedContact({ name: 'Two phones', phone: '+5511977770001' });
    await ask({ id: 'evt_named', contactId: named.id, phone: '+5511977770002', text: 'No outro número' });
    await waitFor('the activity', () => activitiesOf(named.id).length === 1, 20_000);
    expect(activitiesOf(named.id)[0]).toMatchObject({ direction: 'outbound', description: 'No outro número' });
    expect(harness.crm.contacts().filter((c) => c.phone === '+5511977770002')).toEqual([]);
  }, 30_000);

  it('an instance configured nowhere, a text over the limit, a number not on WhatsApp: each a [not sent] activity', async () => {
    const contact = harness.crm.seedContact({ name: 'Cliente', phone: '+5541991110003' });
    harness.evolution.markNotOnWhatsApp('5541991110009');
    const ghost = await ask({
      id: 'evt_ghost',
      contactId: contact.id,
      phone: contact.phone,
      text: 'A',
      instance: 'ghost',
    });
    const long = 'x'.repeat(MAX_SEND_TEXT_LENGTH + 1);
    const tooLong = await ask({ id: 'evt_long', contactId: contact.id, phone: contact.phone, text: long });
    await ask({ id: 'evt_nowa', contactId: contact.id, phone: '+5541991110009', text: 'Alô?' });

    await waitFor('three [not sent] activities', () => activitiesOf(contact.id).length === 3, 30_000);
    const descriptions = activitiesOf(contact.id)
      .map((a) => a.description)
      .sort();
    expect(descriptions).toEqual([
      '[not sent] +5541991110009 is not on WhatsApp: Alô?',
      '[not sent] instance "ghost" is not configured (EVOLUTION_INSTANCES, WUZAPI_USER_TOKENS): A',
      `[not sent] the text has ${MAX_SEND_TEXT_LENGTH + 1} characters; the gateway limit is ${MAX_SEND_TEXT_LENGTH}: ${'x'.repeat(200)}…`,
    ]);
    expect(activitiesOf(contact.id).every((a) => a.direction === 'outbound')).toBe(true);
    expect(harness.evolution.sent.filter((s) => s.text === 'A' || s.text === long)).toEqual([]);

    // Operators still see each one failed, once.
    for (const job of [ghost, tooLong]) expect(await events.getJobState(String(job.id))).toBe('failed');
    await waitFor('the refused send failed', async () => (await outbound.getJobCounts('failed')).failed === 1);
    const [failed] = await outbound.getFailed();
    expect(failed?.attemptsMade).toBe(1);
  }, 40_000);
});
