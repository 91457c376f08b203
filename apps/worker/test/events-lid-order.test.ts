import { type CrmJob, QUEUES, type WebhookEventJob } from '@zaprelay/core';
import { evolutionLidText, waitFor } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

const T = Math.floor(Date.parse('2026-11-22T14:03:11Z') / 1000);
const stored = (payload: unknown): WebhookEventJob => ({
  source: 'evolution',
  event: 'messages.upsert',
  instance: 'sales-01',
  receivedAt: Date.now(),
  payload,
});

describe('events worker: an @lid chat whose phone becomes known', () => {
  let harness: RuntimeHarness;
  // Only the events worker: the CRM jobs stay in the queue to be looked at.
  beforeAll(async () => {
    harness = await createRuntimeHarness({
      EVOLUTION_MONITORING_ENABLED: 'false',
      EVOLUTION_INSTANCES: 'sales-01',
      WORKER_QUEUES: 'events',
    });
  });
  afterAll(() => harness.close());

  it('queues the messages that waited for the pair before the message that taught it', async () => {
    const { runtime } = await harness.startWorker();
    const events = runtime.queues[QUEUES.events];
    const lid = '77665544332211@lid';
    const early = evolutionLidText({ id: 'LID-EARLY', lid, withPhone: false, text: 'oi', timestamp: T });
    const later = evolutionLidText({
      id: 'LID-LATER',
      lid,
      phone: '5511966660001',
      text: 'tudo bem?',
      timestamp: T + 1,
    });
    await events.add('e', stored(early));
    await waitFor('the phoneless message handled', async () => (await events.getCompletedCount()) === 1);
    await events.add('e', stored(later));

    const crm = runtime.queues[QUEUES.crm];
    await waitFor('both CRM jobs queued', async () => (await crm.getWaitingCount()) === 2);
    const jobs = (await crm.getWaiting()).map((j) => j.data as Extract<CrmJob, { kind: 'message-activity' }>);
    const seqOf = (id: string) => jobs.find((j) => j.message.messageId === id)?.chatSeq ?? Number.NaN;
    // The chat's numbering follows the order sent: the message that waited is first.
    expect(seqOf('LID-EARLY')).toBeLessThan(seqOf('LID-LATER'));
    expect(jobs.map((j) => j.message.phone)).toEqual(['+5511966660001', '+5511966660001']);
  });
});
