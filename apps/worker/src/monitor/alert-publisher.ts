import { randomUUID } from 'node:crypto';
import { type Alert, type HealthStatus, type Logger, type RedisClient, toJobId } from '@zaprelay/core';
import type { Queue } from 'bullmq';
import type { Counter } from 'prom-client';
import type { MonitorStore } from './monitor-store.js';

export interface HealthChange {
  subject: string;
  from: HealthStatus;
  to: HealthStatus;
  reason: string;
  /** The alert's type when not the generic healthStatusChanged (breakerOpen, breakerClosed); quieted as a change. */
  type?: 'breakerOpen' | 'breakerClosed';
}

/** A condition rather than a status change: failing jobs, refused webhooks, a stuck queue, an open breaker. */
export interface ConditionAlert {
  type: 'jobsFailing' | 'webhooksRefused' | 'jobsWaitingTooLong' | 'breakerOpen' | 'breakerClosed' | (string & {});
  subject: string;
  reason: string;
}

export interface AlertPublisherDeps {
  redis: RedisClient;
  prefix: string;
  store: MonitorStore;
  /** Present when ALERT_WEBHOOK_URL is set: deliveries go through the queue, with retries. */
  alertsQueue?: Queue;
  quietPeriodMs: number;
  logger: Logger;
  changes: Counter<'subject' | 'to'>;
}

const isHealthChange = (a: HealthChange | ConditionAlert): a is HealthChange => 'from' in a;

/**
 * Every alert is logged, kept in the recent-alerts list and queued for
 * delivery; the quiet period only holds back REPEATS:
 * - a health change is a repeat when the last change alerted for its subject
 *   was the same one (SET … GET swaps it atomically, so however many workers
 *   see a change, one alert goes out); a recovery and a new outage within the
 *   quiet period are two different changes, and both alert;
 * - a condition (same type and subject) alerts at most once per quiet period
 *   (SET NX), its first occurrence always.
 */
export function createAlertPublisher(deps: AlertPublisherDeps) {
  const ms = Math.max(1, deps.quietPeriodMs);

  /** True when this alert is not a repeat within the quiet period; undo() gives the period back. */
  async function claim(alert: HealthChange | ConditionAlert): Promise<{ first: boolean; undo: () => Promise<void> }> {
    if (isHealthChange(alert)) {
      const key = `${deps.prefix}:monitor:alert-last:${alert.subject}`;
      const change = `${alert.from}>${alert.to}`;
      const previous = await deps.redis.set(key, change, 'PX', ms, 'GET');
      const undo = async () => {
        await (previous === null ? deps.redis.del(key) : deps.redis.set(key, previous, 'PX', ms));
      };
      return { first: previous !== change, undo };
    }
    const key = `${deps.prefix}:monitor:alert-quiet:${alert.type}:${alert.subject}`;
    const first = (await deps.redis.set(key, '1', 'PX', ms, 'NX')) === 'OK';
    return { first, undo: async () => void (await deps.redis.del(key)) };
  }

  return async function publish(input: HealthChange | ConditionAlert): Promise<Alert | undefined> {
    const { first, undo } = await claim(input);
    if (!first) return undefined;
    const type = input.type ?? 'healthStatusChanged';
    const alert: Alert = { id: randomUUID(), at: new Date().toISOString(), ...input, type };
    deps.logger.warn({ event: type, ...input }, isHealthChange(input) ? 'health status changed' : 'alert');
    if (isHealthChange(input)) deps.changes.inc({ subject: input.subject, to: input.to });
    try {
      await deps.store.pushAlert(alert);
      await deps.alertsQueue?.add('deliver-alert', { alert }, { jobId: toJobId(`alert:${alert.id}`) });
    } catch (err) {
      // Not stored or not queued: give the quiet period back, so the next check raises it again.
      await undo().catch(() => {});
      throw err;
    }
    return alert;
  };
}

export type AlertPublisher = ReturnType<typeof createAlertPublisher>;
