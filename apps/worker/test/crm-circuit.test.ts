import { setTimeout as sleep } from 'node:timers/promises';
import { circuitKey } from '@zaprelay/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMessageActivity } from '../src/crm/index.js';
import { type CrmHarness, message, newPhone, startCrmHarness } from './crm-harness.js';

describe('CRM down for a while, with 3 attempts per job (breaker: 5 failures, 300 ms open)', () => {
  let h: CrmHarness;

  beforeAll(async () => {
    h = await startCrmHarness({
      rateLimit: { max: 1000, windowMs: 1000 },
      workers: 2,
      env: { SUPER_CRM_RETRY_MAX_ATTEMPTS: '3', CIRCUIT_FAILURE_THRESHOLD: '5', CIRCUIT_OPEN_MS: '300' },
    });
  });
  afterAll(async () => {
    await h.redis.del(circuitKey(h.config.QUEUE_PREFIX, 'supercrm'));
    await h.close();
  });

  it('no job fails, the outage costs a handful of requests, and every message lands once the CRM is back', async () => {
    const phones = [newPhone(), newPhone(), newPhone()];
    for (const phone of phones) await h.knownContact(phone);
    h.double.injectFault({ type: 'unavailable', times: 1_000_000 });
    const messages = Array.from({ length: 40 }, (_, i) => message(phones[i % phones.length] as string));
    for (const m of messages) await enqueueMessageActivity(h.crmQueue, m);

    const outageMs = 3000;
    await sleep(outageMs);
    const refused = h.double.requests().filter((r) => r.fault === 'unavailable').length;
    h.double.clearFaults();
    await h.settled(messages.length, 30_000);

    expect(await h.crmQueue.getFailedCount()).toBe(0);
    expect(h.double.activities()).toHaveLength(messages.length);
    // Without the breaker: every job tries 3 times (120 requests) and all 40 fail.
    // With it: the failures that open it, those already in flight, and about one probe per open time.
    console.log(`[crm breaker] ${refused} requests sent during a ${outageMs} ms outage for ${messages.length} jobs`);
    expect(refused).toBeGreaterThanOrEqual(5);
    expect(refused).toBeLessThanOrEqual(5 + 8 + Math.ceil(outageMs / 300));
    const state = await h.redis.hget(circuitKey(h.config.QUEUE_PREFIX, 'supercrm'), 'state');
    expect(state).toBe('closed');
  });
});
