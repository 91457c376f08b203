import { type HealthStatus, type HistoryEntry, instanceKey } from '@zaprelay/core';
import type { AlertPublisher } from './alert-publisher.js';
import { deriveHealth, type HealthThresholds, type HealthVerdict } from './derive-health.js';
import type { MonitorStore } from './monitor-store.js';

export interface TrackerDeps {
  store: MonitorStore;
  publish: AlertPublisher;
  thresholds: HealthThresholds;
}

const mild = (s: HealthStatus) => s === 'healthy' || s === 'degraded';

/**
 * Between healthy and degraded the status moves only when two checks in a row
 * say so: one slow answer (or one error among many good ones) does not flap
 * it back and forth. Down, and the way out of down, are never held back.
 */
export function withHysteresis(before: HealthStatus, now: HealthVerdict, earlier: () => HealthVerdict): HealthVerdict {
  if (!mild(before) || !mild(now.status) || now.status === before) return now;
  return earlier().status === now.status ? now : { ...now, status: before };
}

/**
 * One observation in, one health verdict out: history appended, status
 * re-derived, and a change turned into an alert. Instances (checks and
 * connection.update webhooks) and external APIs (every call) share it.
 */
export function createHealthTracker({ store, publish, thresholds }: TrackerDeps) {
  async function observe(
    subject: string,
    entry: HistoryEntry,
    previous: HealthStatus | undefined,
  ): Promise<HealthVerdict> {
    await store.recordHistory(subject, entry);
    const history = await store.history(subject, thresholds.window + 2);
    const before = previous ?? 'unknown';
    const verdict = withHysteresis(before, deriveHealth(history, thresholds), () =>
      deriveHealth(history.slice(1), thresholds),
    );
    // A first sighting that is healthy is not news; a first sighting that is not is.
    if (verdict.status !== before && !(before === 'unknown' && verdict.status === 'healthy')) {
      await publish({ subject, from: before, to: verdict.status, reason: verdict.reasons.join('; ') || 'recovered' });
    }
    return verdict;
  }

  return {
    /** Seen by the monitor (gateway-listed or configured) before: its status is kept in Redis. */
    async knowsInstance(name: string): Promise<boolean> {
      return (await store.instanceStatus(instanceKey(name))) !== undefined;
    },
    async observeInstance(name: string, source: 'evolution' | 'wuzapi', entry: HistoryEntry) {
      // `Vendas-01` from a webhook and `vendas-01` from the config are one instance, one history.
      const instance = instanceKey(name);
      const previous = await store.instanceStatus(instance);
      const verdict = await observe(`instance:${instance}`, entry, previous?.status);
      await store.setInstanceStatus({
        instance,
        source,
        state: entry.state === 'error' ? (previous?.state ?? 'unknown') : entry.state,
        status: verdict.status,
        checkedAt: entry.at,
        responseTimeMs: entry.responseTimeMs,
        error: entry.error,
      });
      return verdict;
    },
    async observeApi(api: string, entry: HistoryEntry) {
      const previous = await store.apiStatus(api);
      const verdict = await observe(`api:${api}`, entry, previous?.status as HealthStatus | undefined);
      await store.setApiStatus(api, {
        api,
        status: verdict.status,
        checkedAt: entry.at,
        errorRate: verdict.errorRate,
        reasons: verdict.reasons,
      });
      return verdict;
    },
  };
}

export type HealthTracker = ReturnType<typeof createHealthTracker>;
