import { createLogger, createMetricsRegistry, createRedisConnection } from '@zaprelay/core';
import { testConfig } from '@zaprelay/test-kit/vitest';
import type { Queue } from 'bullmq';
import { createWorkerMetrics } from '../src/metrics/worker-metrics.js';
import { createAlertPublisher } from '../src/monitor/alert-publisher.js';
import { DEFAULT_THRESHOLDS } from '../src/monitor/derive-health.js';
import { createHealthTracker } from '../src/monitor/health-tracker.js';
import { createMonitorStore } from '../src/monitor/monitor-store.js';

/** Store, alert publisher and health tracker on the run's Redis under a private prefix. */
export function buildMonitor(
  options: { env?: Record<string, string>; maxHistory?: number; quietPeriodMs?: number; alertsQueue?: Queue } = {},
) {
  const config = testConfig(options.env);
  const redis = createRedisConnection(config.REDIS_URL, { role: 'worker' });
  const logger = createLogger(config, { name: 'test' });
  const metrics = createWorkerMetrics({
    registry: createMetricsRegistry('test', { defaults: false }),
    config,
    redis,
    queues: [],
  });
  const store = createMonitorStore(redis, config.QUEUE_PREFIX, options.maxHistory ?? 5);
  const publish = createAlertPublisher({
    redis,
    prefix: config.QUEUE_PREFIX,
    store,
    alertsQueue: options.alertsQueue,
    quietPeriodMs: options.quietPeriodMs ?? config.ALERT_QUIET_PERIOD_MS,
    logger,
    changes: metrics.healthChanges,
  });
  const tracker = createHealthTracker({ store, publish, thresholds: DEFAULT_THRESHOLDS });
  return { config, redis, store, tracker, publish, logger, metrics };
}
