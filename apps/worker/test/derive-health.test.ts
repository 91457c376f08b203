import type { HistoryEntry } from '@zaprelay/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, deriveHealth, isResponseTimeAnomaly } from '../src/monitor/derive-health.js';

const at = '2026-11-22T10:00:00.000Z';
const ok = (responseTimeMs: number, state = 'open'): HistoryEntry => ({ at, state, responseTimeMs });
const failed = (error = 'HTTP 503'): HistoryEntry => ({ at, state: 'error', error });

describe('deriveHealth', () => {
  it('is unknown without history', () => {
    expect(deriveHealth([]).status).toBe('unknown');
  });

  it('is healthy when open, fast and error-free', () => {
    expect(deriveHealth([ok(40), ok(42), ok(38)]).status).toBe('healthy');
  });

  it('is down when the connection is closed or the last check failed', () => {
    expect(deriveHealth([ok(40, 'close'), ok(40)]).status).toBe('down');
    expect(deriveHealth([failed(), ok(40)])).toMatchObject({
      status: 'down',
      reasons: ['last check failed: HTTP 503'],
    });
  });

  it('is degraded while connecting or when the error rate passes the threshold', () => {
    expect(deriveHealth([ok(40, 'connecting')]).status).toBe('degraded');
    const flaky = [ok(40), failed(), ok(40), failed(), ok(40), ok(40), ok(40), ok(40)];
    expect(deriveHealth(flaky, { ...DEFAULT_THRESHOLDS, errorRate: 0.2 })).toMatchObject({
      status: 'degraded',
      errorRate: 0.25,
    });
    expect(deriveHealth(flaky, { ...DEFAULT_THRESHOLDS, errorRate: 0.3 }).status).toBe('healthy');
  });

  it('flags a response time beyond mean + 3σ of the recent normal', () => {
    const normal = [50, 52, 48, 51, 49, 50, 53, 47].map((ms) => ok(ms));
    expect(isResponseTimeAnomaly([ok(56), ...normal], DEFAULT_THRESHOLDS)).toBe(false);
    expect(isResponseTimeAnomaly([ok(400), ...normal], DEFAULT_THRESHOLDS)).toBe(true);
    expect(deriveHealth([ok(400), ...normal])).toMatchObject({ status: 'degraded', anomaly: true });
  });

  it('takes a few ms of noise on a fast local gateway for noise, not an anomaly', () => {
    // Seen on a busy two-core machine: 7 ms after 3-4 ms is beyond 3σ, but no gateway problem.
    const fast = [4, 3, 4, 4, 4].map((ms) => ok(ms));
    expect(isResponseTimeAnomaly([ok(7), ...fast], DEFAULT_THRESHOLDS)).toBe(false);
    expect(isResponseTimeAnomaly([ok(7), ...fast], { ...DEFAULT_THRESHOLDS, minExcessMs: 0 })).toBe(true);
    expect(isResponseTimeAnomaly([ok(60), ...fast], DEFAULT_THRESHOLDS)).toBe(true);
  });

  it('gives no anomaly verdict before there is a normal to compare with', () => {
    expect(isResponseTimeAnomaly([ok(400), ok(50), ok(50)], DEFAULT_THRESHOLDS)).toBe(false);
  });
});
