import { type CrmJob, QUEUES, type WebhookEventJob } from '@zaprelay/core';
import { evolutionContactsUpsert, evolutionText, waitFor } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

const stored = (event: string, payload: unknown): WebhookEventJob => ({
  source: 'evolution',
  event,
  instance: 'sales-01',
  receivedAt: Date.now(),
  payload,
});

describe('events worker: an address book split into items', () => {
  let harness: RuntimeHarness;
  // Only the events worker: the CRM jobs stay in the queue, in the order they were queued.
  beforeAll(async () => {
    harness = await createRuntimeHarness({
      EVOLUTION_MONITORING_ENABLED: 'false',
      EVOLUTION_INSTANCES: 'sales-01',
      WORKER_QUEUES: 'events',
    });
  });
  afterAll(() => harness.close());

  it('a message webhook that arrives behind a 300-entry book is handled before the book’s entries', async () => {
    const { runtime } = await harness.startWorker();
    const events = runtime.queues[QUEUES.events];
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

    const crm = runtime.queues[QUEUES.crm];
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
