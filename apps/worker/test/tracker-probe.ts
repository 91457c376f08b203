import type { RedisClient } from '@zaprelay/core';
import { type Config, createLogger, createMetricsRegistry } from '@zaprelay/core';
import { createWorkerMetrics } from '../src/metrics/worker-metrics.js';
import { createAlertPublisher } from '../src/monitor/alert-publisher.js';
import { DEFAULT_THRESHOLDS } from '../src/monitor/derive-health.js';
import { createHealthTracker } from '../src/monitor/health-tracker.js';
import { createMonitorStore } from '../src/monitor/monitor-store.js';

/** A health tracker on the runtime's Redis keys, as a webhook-fed observation would use it. */
export function trackerFor(redis: RedisClient, config: Config) {
  const store = createMonitorStore(redis, config.QUEUE_PREFIX, 1000);
  const registry = createMetricsRegistry('tracker-test', { defaults: false });
  const metrics = createWorkerMetrics({ registry, config, redis, queues: [] });
  const publish = createAlertPublisher({
    redis,
    prefix: config.QUEUE_PREFIX,
    store,
    quietPeriodMs: config.ALERT_QUIET_PERIOD_MS,
    logger: createLogger(config, { name: 'tracker-test' }),
    changes: metrics.healthChanges,
  });
  return { tracker: createHealthTracker({ store, publish, thresholds: DEFAULT_THRESHOLDS }), store };
}
