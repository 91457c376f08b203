import { type CrmJob, QUEUES, type WebhookEventJob } from '@zaprelay/core';
import { evolutionContactsUpsert, evolutionLidText, evolutionText, waitFor } from '@zaprelay/test-kit';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

const stored = (event: string, payload: unknown): WebhookEventJob => ({
  source: 'evolution',
  event,
  instance: 'sales-01',
  receivedAt: Date.now(),
  payload,
});

const T = Math.floor(Date.parse('2026-11-22T14:03:11Z') / 1000);

describe('events worker: the order in which CRM jobs are queued', () => {
  let harness: RuntimeHarness;
  let events: Queue;
  let crm: Queue;
  // Only the events worker: the CRM jobs stay in the queue, in the order they were queued.
  beforeAll(async () => {
    harness = await createRuntimeHarness({
      EVOLUTION_MONITORING_ENABLED: 'false',
      EVOLUTION_INSTANCES: 'sales-01',
      WORKER_QUEUES: 'events',
    });
    const { runtime } = await harness.startWorker();
    events = runtime.queues[QUEUES.events];
    crm = runtime.queues[QUEUES.crm];
  });
  afterAll(() => harness.close());
  beforeEach(() => crm.drain()); // the CRM jobs of the test before

  it('queues the messages that waited for the pair before the message that taught it', async () => {
    const lid = '77665544332211@lid';
    const early = evolutionLidText({ id: 'LID-EARLY', lid, withPhone: false, text: 'oi', timestamp: T });
    const later = evolutionLidText({
      id: 'LID-LATER',
      lid,
      phone: '5511966660001',
      text: 'tudo bem?',
      timestamp: T + 1,
    });
    const first = await events.add('e', stored('messages.upsert', early));
    await waitFor('the phoneless message handled', async () => (await first.getState()) === 'completed');
    await events.add('e', stored('messages.upsert', later));

    await waitFor('both CRM jobs queued', async () => (await crm.getWaitingCount()) === 2);
    const jobs = (await crm.getWaiting()).map((j) => j.data as Extract<CrmJob, { kind: 'message-activity' }>);
    const seqOf = (id: string) => jobs.find((j) => j.message.messageId === id)?.chatSeq ?? Number.NaN;
    // The chat's numbering follows the order sent: the message that waited is first.
    expect(seqOf('LID-EARLY')).toBeLessThan(seqOf('LID-LATER'));
    expect(jobs.map((j) => j.message.phone)).toEqual(['+5511966660001', '+5511966660001']);
  });

  it('a message webhook that arrives behind a 300-entry book is handled before the book’s entries', async () => {
    const book = Array.from({ length: 300 }, (_, i) => ({
      phone: `554197${String(i).padStart(7, '0')}`,
      pushName: `Contato ${i}`,
    }));
    const parent = await events.add(
      'e',
      stored('contacts.upsert', evolutionContactsUpsert({ contacts: book, instance: 'sales-01' })),
    );
    // The message comes once the book is split: 300 item jobs are ahead of it in the events queue.
    await waitFor('the book split', async () => (await parent.getState()) === 'completed', 10_000, 5);
    await events.add(
      'e',
      stored('messages.upsert', evolutionText({ id: 'LIVE-BEHIND-BOOK', phone: '+5511955550099', text: 'Oi?' })),
    );

    await waitFor('every CRM job queued', async () => (await crm.getJobCountByTypes('wait', 'prioritized')) === 301);
    const jobs = await crm.getJobs(['wait', 'prioritized']);
    const live = jobs.find((j) => (j.data as CrmJob).kind === 'message-activity');
    if (!live) throw new Error('no message job');
    const upsertsBefore = jobs.filter(
      (j) => (j.data as CrmJob).kind === 'contact-upsert' && j.timestamp < live.timestamp,
    );
    // Only the entries the worker had already taken when the message webhook came next (its concurrency).
    expect(upsertsBefore.length).toBeLessThan(30);
  });
});
