import { waitFor } from '@zaprelay/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createCrmWork } from '../src/crm/index.js';
import { type CrmHarness, message, newPhone, startCrmHarness } from './crm-harness.js';

let h: CrmHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const crmWork = (harness: CrmHarness) =>
  createCrmWork({ crmQueue: harness.crmQueue, connection: harness.redis, config: harness.config });

describe('CRM worker: live messages before address books', () => {
  it('a message that arrives behind an address book reaches the CRM within a few requests', async () => {
    h = await startCrmHarness({ rateLimit: { max: 20, windowMs: 1000 }, workers: 1 });
    const work = crmWork(h);
    const known = newPhone();
    await h.knownContact(known);
    // 60 new numbers: a search and a create each, ~6 s of requests at this limit.
    for (let i = 0; i < 60; i++) await work.contactUpsert(newPhone(), `Contato ${i}`);
    const live = message(known);
    const before = h.double.requests().length;
    await work.messageActivity(live);

    const harness = h;
    await waitFor(
      'the live message’s activity',
      async () => harness.double.activities().some((a) => a.metadata.message_id === live.messageId),
      10_000,
      20,
    );
    const at = h.double.requests().findIndex((r) => r.method === 'POST' && r.path.endsWith('/activities'));
    // Jobs already active when it was queued may finish first; nothing queued before it does.
    expect(at - before).toBeLessThanOrEqual(4);
    expect(h.double.contacts().length).toBeLessThan(50);
  });

  it('one pending upsert per phone, with the newest name; a replayed book of cached contacts sends nothing', async () => {
    h = await startCrmHarness({ rateLimit: { max: 1000, windowMs: 1000 } });
    const work = crmWork(h);
    const phone = newPhone();
    await h.crmQueue.pause();
    await work.contactUpsert(phone, 'Ana');
    await work.contactUpsert(phone, 'Ana');
    await work.contactUpsert(phone, 'Ana Lima');
    expect(await h.crmQueue.getJobCountByTypes('prioritized', 'wait')).toBe(1);
    await h.crmQueue.resume();
    await h.settled(1);
    expect(h.double.contacts()).toEqual([expect.objectContaining({ phone, name: 'Ana Lima' })]);
    const sent = h.double.requests().length;

    // The gateway reconnects and posts its address book again, twice (paused: a queued job would show).
    await h.crmQueue.pause();
    await work.contactUpsert(phone, 'Ana Lima');
    await work.contactUpsert(phone, undefined);
    await work.contactUpsert(phone, 'Ana Lima');
    expect(await h.crmQueue.getJobCounts('prioritized', 'wait', 'completed')).toEqual({
      prioritized: 0,
      wait: 0,
      completed: 1,
    });
    expect(h.double.requests()).toHaveLength(sent);
  });
});
