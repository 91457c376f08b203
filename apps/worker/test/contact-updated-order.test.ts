import { QUEUES, type WebhookEventJob } from '@zaprelay/core';
import {
  type CrmContact,
  evolutionContactsUpdate,
  evolutionText,
  superCrmContactUpdated,
  waitFor,
} from '@zaprelay/test-kit';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

const stored = (source: WebhookEventJob['source'], event: string, instance: string, payload: unknown) =>
  ({ source, event, instance, receivedAt: Date.now(), payload }) satisfies WebhookEventJob;

/** Issue 10, point 3: `updated_at` decides, whatever order SuperCRM (re)delivers `contact.updated` in. */
describe('contact.updated in order', () => {
  let harness: RuntimeHarness;
  let events: Queue;
  let crmQueue: Queue;

  beforeAll(async () => {
    harness = await createRuntimeHarness({ EVOLUTION_MONITORING_ENABLED: 'false', EVOLUTION_INSTANCES: 'sales-01' });
    harness.evolution.addInstance('sales-01', 'open');
    const { runtime } = await harness.startWorker();
    events = runtime.queues[QUEUES.events];
    crmQueue = runtime.queues[QUEUES.crm];
  });
  afterAll(() => harness.close());

  async function deliver(contact: CrmContact, eventId: string) {
    const event = superCrmContactUpdated({ id: eventId, contact });
    const job = await events.add('e', stored('supercrm', event.type, 'supercrm', event));
    await waitFor(`${eventId} handled`, async () => (await events.getJobState(String(job.id))) === 'completed');
  }
  async function inboundFrom(phone: string, id: string) {
    const payload = evolutionText({ id, phone, text: id, instance: 'sales-01' });
    await events.add('e', stored('evolution', 'messages.upsert', 'sales-01', payload));
    await waitFor(`activity ${id}`, () => harness.crm.activities().some((a) => a.description === id), 20_000);
    return harness.crm.activities().find((a) => a.description === id)?.contact_id;
  }

  it('a phone moved to another contact stays with it when an older event of the first contact is redelivered', async () => {
    const phone = '+5541991230001';
    const first = harness.crm.seedContact({ name: 'Primeiro', phone });
    const second = harness.crm.seedContact({ name: 'Segundo', phone: '+5541991230002' });
    const firstBefore = { ...first, updated_at: new Date(Date.now() - 60_000).toISOString() };
    await deliver(firstBefore, 'evt_first_old');
    // The agent moves the phone: the first contact gets another number, the second takes this one.
    const firstAfter = harness.crm.editContactAsAgent(first.id, { phone: '+5541991230003' });
    const secondAfter = harness.crm.editContactAsAgent(second.id, { phone });
    await deliver(secondAfter, 'evt_second');
    await deliver(firstBefore, 'evt_first_old'); // redelivered (same id: SuperCRM retries with it)
    await deliver(firstBefore, 'evt_first_old_again');
    expect(await inboundFrom('+554191230001', 'moved-1')).toBe(second.id); // the 12-digit JID of the moved phone

    // The first contact's own newer event arrives after all: its new phone is its own.
    await deliver(firstAfter, 'evt_first_new');
    await deliver(firstBefore, 'evt_first_old_third');
    expect(await inboundFrom('+5541991230003', 'moved-2')).toBe(first.id);
    expect(await inboundFrom(phone, 'moved-3')).toBe(second.id);
  }, 60_000);

  it('an older event arriving late (not only redelivered) neither takes a phone back nor revives an old one', async () => {
    // The phone moved from one contact to another; the newer event arrives first.
    const phone = '+5541991240001';
    const from = harness.crm.seedContact({ name: 'Antes', phone });
    const to = harness.crm.seedContact({ name: 'Depois', phone: '+5541991240002' });
    const fromBefore = { ...from, updated_at: new Date(Date.now() - 60_000).toISOString() };
    harness.crm.editContactAsAgent(from.id, { phone: '+5541991240003' });
    await deliver(harness.crm.editContactAsAgent(to.id, { phone }), 'evt_to_new');
    await deliver(fromBefore, 'evt_from_old_late'); // first delivery, older than the phone's newest owner
    expect(await inboundFrom(phone, 'late-1')).toBe(to.id);

    // One contact changes its number; its own older event (the old number) comes after the newer one.
    const oldNumber = '+5541991240011';
    const mover = harness.crm.seedContact({ name: 'Mudou', phone: oldNumber });
    const moverBefore = { ...mover, updated_at: new Date(Date.now() - 60_000).toISOString() };
    await deliver(harness.crm.editContactAsAgent(mover.id, { phone: '+5541991240012' }), 'evt_mover_new');
    await deliver(moverBefore, 'evt_mover_old');
    // Whoever writes from the old number now is not filed on the contact that left it.
    expect(await inboundFrom(oldNumber, 'late-2')).not.toBe(mover.id);
  }, 60_000);

  it("an agent's rename that arrives as contact.updated: later WhatsApp names cost no request at all", async () => {
    const jid = '554191230099@s.whatsapp.net';
    await inboundFrom('+554191230099', 'named-1'); // creates the contact, named 'Cliente' (pushName)
    const contact = harness.crm.contacts().find((c) => c.phone === '+5541991230099');
    if (!contact) throw new Error('no contact');
    await deliver(harness.crm.editContactAsAgent(contact.id, { name: 'Sra. Beatriz' }), 'evt_agent_rename');
    const before = harness.crm.requests().length;
    const update = evolutionContactsUpdate({ contacts: [{ remoteJid: jid, pushName: 'Bia' }], instance: 'sales-01' });
    const job = await events.add('e', stored('evolution', 'contacts.update', 'sales-01', update));
    await waitFor('the contact event handled', async () => (await events.getJobState(String(job.id))) === 'completed');
    await waitFor('the CRM queue idle', async () => {
      const counts = await crmQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((n) => n === 0);
    });
    expect(harness.crm.requests().slice(before)).toEqual([]);
    expect(harness.crm.contacts().find((c) => c.id === contact.id)?.name).toBe('Sra. Beatriz');
  }, 40_000);
});
