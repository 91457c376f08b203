import { setTimeout as sleep } from 'node:timers/promises';
import { circuitKey } from '@zaprelay/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrmWork } from '../src/crm/index.js';
import { type CrmHarness, message, newPhone, startCrmHarness } from './crm-harness.js';

describe('CRM down longer than CRM_CHAT_ORDER_MAX_WAIT_MS, with chat order and 3 attempts per job', () => {
  let h: CrmHarness;

  beforeAll(async () => {
    h = await startCrmHarness({
      rateLimit: { max: 1000, windowMs: 1000 },
      workers: 2,
      env: {
        SUPER_CRM_RETRY_MAX_ATTEMPTS: '3',
        CIRCUIT_FAILURE_THRESHOLD: '5',
        CIRCUIT_OPEN_MS: '300',
        // Half the outage (4 s), so the outage is still the longer. 1 s left too little for a head's retry once the
        // CRM was back, on a loaded machine: a fresh clone's CI once saw a message go ahead of its predecessor.
        CRM_CHAT_ORDER_MAX_WAIT_MS: '2000',
      },
    });
  });
  afterAll(async () => {
    await h.redis.del(circuitKey(h.config.QUEUE_PREFIX, 'supercrm'));
    await h.close();
  });

  it('no job fails, and each chat still lands in the order sent: an outage is nobody’s fault to give up on', async () => {
    const phones = [newPhone(), newPhone(), newPhone()];
    for (const phone of phones) await h.knownContact(phone);
    const work = createCrmWork({ crmQueue: h.crmQueue, connection: h.redis, config: h.config });
    h.double.injectFault({ type: 'unavailable', times: 1_000_000 });
    const base = Date.parse('2026-11-22T14:00:00.000Z');
    const messages = Array.from({ length: 24 }, (_, i) =>
      message(phones[i % phones.length] as string, { timestamp: new Date(base + i * 1000).toISOString() }),
    );
    for (const m of messages) await work.messageActivity(m);

    await sleep(4000);
    h.double.clearFaults();
    await h.settled(messages.length, 30_000);

    expect(await h.crmQueue.getFailedCount()).toBe(0);
    const landed = h.double.activities().map((a) => a.metadata.message_id);
    expect([...landed].sort()).toEqual(messages.map((m) => m.messageId).sort());
    for (const phone of phones) {
      const sent = messages.filter((m) => m.phone === phone).map((m) => m.messageId);
      expect(
        landed.filter((id) => sent.includes(String(id))),
        phone,
      ).toEqual(sent);
    }
  });
});
