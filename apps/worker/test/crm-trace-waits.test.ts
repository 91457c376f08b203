import { setTimeout as sleep } from 'node:timers/promises';
import { circuitKey, messageActivityKey, toJobId } from '@zaprelay/core';
import { waitFor } from '@zaprelay/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createCrmWork, enqueueMessageActivity } from '../src/crm/index.js';
import { type CrmHarness, message, newPhone, startCrmHarness } from './crm-harness.js';

let h: CrmHarness | undefined;
afterEach(async () => {
  if (!h) return;
  await h.redis.del(circuitKey(h.config.QUEUE_PREFIX, 'supercrm'));
  await h.close();
  h = undefined;
});

const FAST = { max: 1000, windowMs: 1000 };

describe('the trace of a message that waits (GET /api/trace/:messageId)', () => {
  it('says it waits for an earlier message of its chat, and that wait is no attempt', async () => {
    h = await startCrmHarness({ rateLimit: FAST, workers: 2 });
    const phone = newPhone();
    const contactId = await h.knownContact(phone);
    h.double.injectFault({
      type: 'status',
      status: 503,
      method: 'POST',
      path: `/contacts/${contactId}/activities`,
      times: 2,
    });
    const first = message(phone, { timestamp: '2026-11-22T14:03:11.000Z' });
    const second = message(phone, { timestamp: '2026-11-22T14:03:12.000Z' });
    const work = createCrmWork({ crmQueue: h.crmQueue, connection: h.redis, config: h.config });
    await work.messageActivity(first);
    await work.messageActivity(second);
    await h.settled(2);

    const entries = await h.trace.read(second.messageId);
    expect(entries).toContainEqual(
      expect.objectContaining({
        stage: 'waiting',
        waitReason: 'chat-order',
        heldBy: toJobId(messageActivityKey(first)),
      }),
    );
    // Its contact was cached: each attempt is one activity request that ended in an error or done, however often it
    // waited (a wait recorded as an attempt would make one more).
    const count = (stage: string) => entries.filter((e) => e.stage === stage).length;
    expect(count('crm-attempt')).toBe(count('crm-error') + 1);
    // Both 503s went to the first message: the wait itself is no error either (it was traced as one).
    expect(count('crm-error')).toBe(0);
    const firstAttempts = (await h.trace.read(first.messageId)).filter((e) => e.stage === 'crm-attempt').length;
    expect(count('crm-attempt') + firstAttempts).toBe(h.double.requests().length);
    expect(entries.at(-1)).toMatchObject({ stage: 'crm-done' });
  });

  it('an open breaker is one `waiting` entry per wait, not an attempt and an error per turn', async () => {
    h = await startCrmHarness({
      rateLimit: FAST,
      workers: 2,
      env: { CIRCUIT_FAILURE_THRESHOLD: '1', CIRCUIT_OPEN_MS: '200', SUPER_CRM_RETRY_MAX_ATTEMPTS: '30' },
    });
    const messages = [];
    for (let i = 0; i < 6; i++) {
      const phone = newPhone();
      await h.knownContact(phone);
      messages.push(message(phone));
    }
    h.double.injectFault({ type: 'unavailable', times: 1_000_000 });
    for (const m of messages) await enqueueMessageActivity(h.crmQueue, m);
    await sleep(2000);
    h.double.clearFaults();
    await h.settled(messages.length, 30_000);

    const traces = await Promise.all(messages.map((m) => h?.trace.read(m.messageId) ?? []));
    const all = traces.flat();
    // Every attempt in the trace is a request the CRM saw; the turns the breaker held back are waits.
    expect(all.filter((e) => e.stage === 'crm-attempt')).toHaveLength(h.double.requests().length);
    expect(all.filter((e) => e.stage === 'crm-error').every((e) => e.status === 503)).toBe(true);
    const waits = all.filter((e) => e.stage === 'waiting');
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((e) => e.waitReason === 'breaker-open' && e.api === 'supercrm')).toBe(true);
    // Held again before its next probe: the same entry, counted.
    expect(waits.some((e) => Number(e.times) >= 2 && typeof e.since === 'string')).toBe(true);
    for (const trace of traces) expect(trace.at(-1)).toMatchObject({ stage: 'crm-done' });
    await waitFor('nothing left', async () => (await h?.crmQueue.getFailedCount()) === 0);
  }, 40_000);
});
