import { maxInAnyWindow } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmLimiterFor, crmSlotMs, enqueueMessageActivity } from '../src/crm/index.js';
import { type CrmHarness, message, newPhone, startCrmHarness } from './crm-harness.js';

describe('crmLimiterFor', () => {
  it('paces activations at the send window rate, k jobs per k slots of (W + slack)/N, windows of >= 1 s holding <= 2 % of N', () => {
    // The production plan: one job per 606 ms, as before the send window existed.
    expect(crmLimiterFor(100, 60_000)).toEqual({ max: 1, duration: 606 });
    // A 60x larger plan: 99 jobs per second rather than one per 10 ms, whose limited rounds capped it at ~150/s.
    expect(crmLimiterFor(6000, 60_000)).toEqual({ max: 99, duration: 1000 });
    expect(crmLimiterFor(1000, 60_000)).toEqual({ max: 16, duration: 970 });
    // Short windows (tests): one job per slot, so a flood is never more than two jobs ahead of a live message.
    expect(crmLimiterFor(10, 1000, 0)).toEqual({ max: 1, duration: 101 });
    expect(crmLimiterFor(10, 1000)).toEqual({ max: 1, duration: 120 });
    for (const [N, W] of [
      [100, 60_000],
      [6000, 60_000],
      [1000, 60_000],
    ] as const) {
      const { max, duration } = crmLimiterFor(N, W);
      // Never faster than the send window (N per W + slack), and within a ms per window of it.
      expect((max / duration) * crmSlotMs(N, W)).toBeLessThanOrEqual(1);
      expect(duration - max * crmSlotMs(N, W)).toBeLessThan(1);
    }
  });

  it('a fixed window as BullMQ counts it would let a sliding window see 2N: the reservation is what keeps N', () => {
    // Fixed windows [0, W) and [W, 2W): N jobs at the end of the first, N at the start of the second.
    const fixed = [...Array.from({ length: 10 }, (_, k) => 990 + k), ...Array.from({ length: 10 }, (_, k) => 1000 + k)];
    expect(maxInAnyWindow(fixed, 1000)).toBe(20);
  });
});

describe('CRM queue under a backlog (N = 10 per W = 1000 ms, two workers)', () => {
  const N = 10;
  const W = 1000;
  let h: CrmHarness;

  beforeAll(async () => {
    h = await startCrmHarness({ rateLimit: { max: N, windowMs: W }, workers: 2 });
  });
  afterAll(() => h.close());

  it('never exceeds N requests in any window, and uses the limit', async () => {
    const phones = [newPhone(), newPhone(), newPhone()];
    for (const phone of phones) await h.knownContact(phone);
    const messages = Array.from({ length: 35 }, (_, i) => message(phones[i % phones.length] as string));
    for (const m of messages) await enqueueMessageActivity(h.crmQueue, m);
    await h.settled(messages.length);

    const requests = h.double.requests();
    // A known contact costs exactly one request per message.
    expect(requests).toHaveLength(messages.length);
    expect(requests.every((r) => r.method === 'POST' && r.status === 201)).toBe(true);
    expect(h.double.activities()).toHaveLength(messages.length);
    expect(h.double.maxRequestsInAnyWindow()).toBeLessThanOrEqual(N);

    const times = requests.map((r) => r.time).sort((a, b) => a - b);
    const start = times[0] as number;
    const perWindow: number[] = [];
    for (let from = start; from + W <= (times.at(-1) as number); from += W) {
      perWindow.push(times.filter((t) => t >= from && t < from + W).length);
    }
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    console.log(
      `[crm limiter] N=${N} W=${W}ms: requests per full window ${perWindow.join(', ')} ` +
        `(utilisation ${perWindow.map((c) => `${Math.round((100 * c) / N)}%`).join(', ')}); ` +
        `overall ${(((times.length - 1) / ((times.at(-1) as number) - start)) * (W / N) * 100).toFixed(1)}% of the limit; ` +
        `gap between requests min ${Math.min(...gaps).toFixed(1)} ms, max ${Math.max(...gaps).toFixed(1)} ms`,
    );
  });
});
