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

/**
 * healthStatusChanged: logged, counted, kept in the recent-alerts list and
 * queued for delivery. The quiet-period key is taken with SET NX, so however
 * many workers see the same change, one alert goes out per period.
 */
export function createAlertPublisher(deps: AlertPublisherDeps) {
  return async function publish(change: HealthChange): Promise<Alert | undefined> {
    const quietKey = `${deps.prefix}:monitor:alert-quiet:${change.subject}:${change.to}`;
    const first = await deps.redis.set(quietKey, '1', 'PX', Math.max(1, deps.quietPeriodMs), 'NX');
    if (first !== 'OK') return undefined;
    const alert: Alert = { id: randomUUID(), at: new Date().toISOString(), ...change };
    deps.logger.warn({ event: 'healthStatusChanged', ...change }, 'health status changed');
    deps.changes.inc({ subject: change.subject, to: change.to });
    try {
      await deps.store.pushAlert(alert);
      await deps.alertsQueue?.add('deliver-alert', { alert }, { jobId: toJobId(`alert:${alert.id}`) });
    } catch (err) {
      // Not stored or not queued: give the quiet period back, so the next check raises it again.
      await deps.redis.del(quietKey).catch(() => {});
      throw err;
    }
    return alert;
  };
}

export type AlertPublisher = ReturnType<typeof createAlertPublisher>;
