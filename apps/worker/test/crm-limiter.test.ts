import { maxInAnyWindow } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRM_LIMITER_MIN_SLACK_MS, crmLimiterFor, enqueueMessageActivity } from '../src/crm/index.js';
import { type CrmHarness, message, newPhone, startCrmHarness } from './crm-harness.js';

describe('crmLimiterFor', () => {
  it('spaces single jobs by (W + slack)/N, slack = max(1 % of W, a floor)', () => {
    expect(crmLimiterFor(100, 60_000)).toEqual({ max: 1, duration: 606 });
    expect(crmLimiterFor(10, 1000)).toEqual({ max: 1, duration: 100 + CRM_LIMITER_MIN_SLACK_MS / 10 });
    expect(crmLimiterFor(10, 1000, 0.01, 0)).toEqual({ max: 1, duration: 101 });
  });

  it('keeps the sliding window at N with up to the slack of delay per request, where {max: N, duration: W} reaches 2N', () => {
    for (const [N, W] of [
      [10, 1000],
      [100, 60_000],
    ] as const) {
      const { duration } = crmLimiterFor(N, W);
      const slack = N * duration - W;
      // Worst case for the sliding window: of each N+1, the first arrives as late as allowed and the last at once;
      // the ones between are late too, but no later than the last (else they, not the first, open the window).
      const lateBut = (delay: number) => (k: number) => k * duration + Math.min(delay, (N - (k % (N + 1))) * duration);
      const arrivals = Array.from({ length: 5 * N }, (_, k) => lateBut(slack)(k));
      expect(maxInAnyWindow(arrivals, W)).toBe(N);
      // One ms more of delay and the CRM would see N + 1.
      const tooLate = Array.from({ length: N + 1 }, (_, k) => lateBut(slack + 1)(k));
      expect(maxInAnyWindow(tooLate, W)).toBe(N + 1);
    }
  });

  it('is needed: BullMQ with {max: N, duration: W} lets a sliding window see 2N', () => {
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
