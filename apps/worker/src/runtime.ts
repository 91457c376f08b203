import {
  ALL_QUEUES,
  baseWorkerOptions,
  type Config,
  createQueue,
  type Logger,
  monitorKeys,
  QUEUES,
  type QueueName,
} from '@zaprelay/core';
import { createGatewayAdapters } from '@zaprelay/gateway-adapters';
import { createEvolutionClient, createWuzapiClient } from '@zaprelay/gateway-clients';
import { createCrmClient } from '@zaprelay/supercrm-client';
import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { createContactSyncWorker } from './contact-sync/contact-sync-worker.js';
import { ensureContactSyncSchedule } from './contact-sync/schedule.js';
import { createCrmWork, createCrmWorker } from './crm/index.js';
import { createEventsWorker } from './events/events-worker.js';
import { instrumentClient } from './metrics/instrument-client.js';
import { registerLidWaitingGauge } from './metrics/lid-metrics.js';
import { observeWorker } from './metrics/observe-worker.js';
import { createWorkerMetrics } from './metrics/worker-metrics.js';
import { createAlertDeliveryWorker } from './monitor/alert-delivery.js';
import { createAlertPublisher } from './monitor/alert-publisher.js';
import { DEFAULT_THRESHOLDS } from './monitor/derive-health.js';
import { createHealthTracker } from './monitor/health-tracker.js';
import { createInstanceMonitorWorker, ensureMonitorSchedule } from './monitor/instance-monitor.js';
import { createMonitorStore } from './monitor/monitor-store.js';
import { createOutboundWorker } from './outbound/index.js';

export interface WorkerRuntimeDeps {
  config: Config;
  logger: Logger;
  /** A `worker`-role connection (maxRetriesPerRequest: null). */
  connection: Redis;
  registry: Registry;
}

export interface WorkerRuntime {
  workers: Worker[];
  queues: Record<QueueName, Queue>;
  /** Stops taking jobs, lets active ones finish, closes the queues. */
  close(): Promise<void>;
}

/**
 * Every worker of the system in one process, built from config. Parts whose
 * external API is not configured are not started, and say so: their jobs
 * wait durably in Redis until a process that can run them does.
 */
export async function startWorkerRuntime({
  config,
  logger,
  connection,
  registry,
}: WorkerRuntimeDeps): Promise<WorkerRuntime> {
  const log = logger.child({ component: 'runtime' });
  const queues = Object.fromEntries(
    ALL_QUEUES.map((name) => [name, createQueue(name, { connection, config })]),
  ) as Record<QueueName, Queue>;
  const metrics = createWorkerMetrics({ registry, config, redis: connection, queues: Object.values(queues) });
  registerLidWaitingGauge(registry, connection, config.QUEUE_PREFIX);
  const store = createMonitorStore(connection, config.QUEUE_PREFIX, config.EVOLUTION_MONITORING_MAX_HISTORY);
  const publish = createAlertPublisher({
    redis: connection,
    prefix: config.QUEUE_PREFIX,
    store,
    alertsQueue: config.ALERT_WEBHOOK_URL ? queues[QUEUES.alerts] : undefined,
    quietPeriodMs: config.ALERT_QUIET_PERIOD_MS,
    logger,
    changes: metrics.healthChanges,
  });
  const tracker = createHealthTracker({
    store,
    publish,
    thresholds: { ...DEFAULT_THRESHOLDS, errorRate: config.HEALTH_ERROR_RATE_THRESHOLD },
  });
  const instrument = <T extends object>(api: string, client: T, window?: boolean) =>
    instrumentClient(client, {
      api,
      metrics,
      tracker,
      logger,
      window: window
        ? { redis: connection, prefix: config.QUEUE_PREFIX, durationMs: config.SUPER_CRM_RATE_LIMIT_DURATION_MS }
        : undefined,
    });

  const workers: Worker[] = [];
  const crmQueue = queues[QUEUES.crm];
  workers.push(
    createEventsWorker({
      connection,
      config,
      logger,
      adapters: createGatewayAdapters(),
      crm: createCrmWork({ crmQueue, connection, config }),
      outboundQueue: queues[QUEUES.outbound],
      tracker,
      metrics,
    }),
  );

  if (config.SUPER_CRM_API_KEY) {
    const crmClient = instrument('supercrm', createCrmClient(config, logger), true);
    workers.push(
      createCrmWorker({
        connection,
        config,
        logger,
        crmClient,
        crmQueue,
        workerOptions: baseWorkerOptions(config, connection),
      }),
    );
  } else {
    log.error('SUPER_CRM_API_KEY is not set: CRM jobs are kept in Redis but not processed by this worker');
  }

  const evolution = config.EVOLUTION_API_URL
    ? instrument('evolution', createEvolutionClient(config, logger))
    : undefined;
  const wuzapi = config.WUZAPI_API_URL ? instrument('wuzapi', createWuzapiClient(config, logger)) : undefined;
  if (evolution || wuzapi) {
    workers.push(
      createOutboundWorker({
        connection,
        config,
        logger,
        evolution,
        wuzapi,
        outboundQueue: queues[QUEUES.outbound],
        crmQueue,
      }),
    );
  } else {
    log.error('neither EVOLUTION_API_URL nor WUZAPI_API_URL is set: outbound sends are kept in Redis but not sent');
  }

  if (evolution) {
    const probe = {
      listInstances: () => evolution.fetchInstances(),
      connectionState: (i: string) => evolution.connectionState(i),
    };
    workers.push(createInstanceMonitorWorker({ connection, config, logger, probe, tracker }));
    await ensureMonitorSchedule(queues[QUEUES.monitor], config);
    workers.push(
      createContactSyncWorker({
        connection,
        config,
        logger,
        contacts: evolution,
        crmQueue,
        syncQueue: queues[QUEUES.contactSync],
      }),
    );
    await ensureContactSyncSchedule(queues[QUEUES.contactSync], config);
  }
  if (config.ALERT_WEBHOOK_URL) {
    workers.push(
      createAlertDeliveryWorker({
        connection,
        config,
        logger,
        alertsQueue: queues[QUEUES.alerts],
        url: config.ALERT_WEBHOOK_URL,
      }),
    );
  }

  for (const worker of workers) {
    observeWorker(worker, metrics);
    worker.on('error', (err) => log.error({ err: { message: err.message }, queue: worker.name }, 'worker error'));
  }
  log.info(
    { queues: workers.map((w) => w.name), crmWindow: monitorKeys(config.QUEUE_PREFIX).crmRequests },
    'workers started',
  );

  return {
    workers,
    queues,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
}
