import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyStatus, parseRetryAfter } from '../src/index.js';

describe('classifyStatus', () => {
  it.each([
    [undefined, 'retryable'],
    [500, 'retryable'],
    [503, 'retryable'],
    [408, 'retryable'],
    [429, 'rate_limited'],
    [400, 'permanent'],
    [401, 'permanent'],
    [404, 'permanent'],
    [409, 'permanent'],
    [422, 'permanent'],
  ] as const)('%s → %s', (status, kind) => {
    expect(classifyStatus(status)).toBe(kind);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  const policy = { attempts: 10, delayMs: 1000, factor: 2, maxDelayMs: 30_000 };

  it('grows exponentially within ±20 % jitter', () => {
    expect(backoffDelay(policy, 1, () => 0.5)).toBe(1000);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(4000);
    expect(backoffDelay(policy, 3, () => 0)).toBe(3200);
    expect(backoffDelay(policy, 3, () => 1)).toBe(4800);
  });

  it('never exceeds the cap, jitter included', () => {
    for (let attempt = 1; attempt < 30; attempt++) {
      expect(backoffDelay(policy, attempt, () => 1)).toBeLessThanOrEqual(30_000);
    }
    expect(backoffDelay(policy, 20, () => 0)).toBe(24_000);
  });
});
