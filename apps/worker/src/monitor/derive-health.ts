import type { HealthStatus, HistoryEntry } from '@zaprelay/core';

export interface HealthThresholds {
  /** Error rate (0..1) over the recent window above which the subject is degraded. */
  errorRate: number;
  /** How many recent entries count. */
  window: number;
  /** A response time beyond mean + sigmas·σ of the recent normal is an anomaly. */
  sigmas: number;
  /** Fewer samples than this: no anomaly verdict (no "normal" yet). */
  minSamples: number;
  /**
   * An anomaly is also at least this much slower than the mean: a gateway on the
   * same host answers in ~4 ms, and a 7 ms answer from a busy machine is
   * scheduling noise, not a slow gateway worth an alert.
   */
  minExcessMs: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = {
  errorRate: 0.2,
  window: 20,
  sigmas: 3,
  minSamples: 5,
  minExcessMs: 50,
};

export interface HealthVerdict {
  status: HealthStatus;
  reasons: string[];
  anomaly: boolean;
  errorRate: number;
}

const isError = (e: HistoryEntry) => e.error !== undefined || e.state === 'error';

/** Latest response time against mean + k·σ of the entries before it (successful ones only). */
export function isResponseTimeAnomaly(history: HistoryEntry[], t: HealthThresholds, nested = false): boolean {
  const [latest, ...before] = history;
  if (latest?.responseTimeMs === undefined || isError(latest)) return false;
  // A slow answer just before is not "normal": left out, two slow answers in a row are both anomalies.
  const baseline = !nested && isResponseTimeAnomaly(before, t, true) ? before.slice(1) : before;
  const samples = baseline
    .slice(0, t.window)
    .filter((e) => !isError(e) && e.responseTimeMs !== undefined)
    .map((e) => e.responseTimeMs as number);
  if (samples.length < t.minSamples) return false;
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length;
  // A perfectly steady history has σ = 0; a floor keeps 1 ms of noise from being an anomaly.
  const sigma = Math.max(Math.sqrt(variance), mean * 0.05, 1);
  return latest.responseTimeMs > mean + Math.max(t.sigmas * sigma, t.minExcessMs);
}

/**
 * Health from recent history (newest first): down when the latest check
 * failed or the connection is closed; degraded when connecting, erroring
 * beyond the threshold, or unusually slow; healthy otherwise.
 */
export function deriveHealth(history: HistoryEntry[], t: HealthThresholds = DEFAULT_THRESHOLDS): HealthVerdict {
  const recent = history.slice(0, t.window);
  const latest = recent[0];
  if (!latest) return { status: 'unknown', reasons: ['no checks yet'], anomaly: false, errorRate: 0 };
  const errorRate = recent.filter(isError).length / recent.length;
  const anomaly = isResponseTimeAnomaly(history, t);
  const reasons: string[] = [];
  if (isError(latest)) reasons.push(`last check failed: ${latest.error ?? 'error'}`);
  if (latest.state === 'close') reasons.push('connection closed');
  if (reasons.length > 0) return { status: 'down', reasons, anomaly, errorRate };
  if (latest.state === 'connecting') reasons.push('connecting');
  if (errorRate > t.errorRate)
    reasons.push(`error rate ${(errorRate * 100).toFixed(0)}% over the last ${recent.length}`);
  if (anomaly) reasons.push(`response time ${latest.responseTimeMs} ms far above normal`);
  return { status: reasons.length > 0 ? 'degraded' : 'healthy', reasons, anomaly, errorRate };
}
