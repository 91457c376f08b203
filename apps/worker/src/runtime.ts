import {
  baseWorkerOptions,
  type Config,
  createMessageTrace,
  createQueue,
  createSystemQueues,
  type Logger,
  monitorKeys,
  QUEUES,
  type QueueName,
  type RedisClient,
} from '@zaprelay/core';
import { createGatewayAdapters } from '@zaprelay/gateway-adapters';
import { createEvolutionClient, createWuzapiClient } from '@zaprelay/gateway-clients';
import { createCrmClient } from '@zaprelay/supercrm-client';
import type { Queue, Worker } from 'bullmq';
import type { Registry } from 'prom-client';
import { breakerFor } from './breaker/breakers.js';
import { createCircuitTelemetry } from './breaker/circuit-telemetry.js';
import { guardClient } from './breaker/guard-client.js';
import { routeContactSources } from './contact-sync/contact-sources.js';
import { createContactSyncWorker } from './contact-sync/contact-sync-worker.js';
import { ensureContactSyncSchedule } from './contact-sync/schedule.js';
import { createCrmWork, createCrmWorker, createLostWakeUpSweep } from './crm/index.js';
import { createEventsWorker } from './events/events-worker.js';
import { instrumentClient } from './metrics/instrument-client.js';
import { registerLidWaitingGauge } from './metrics/lid-metrics.js';
import { observeWorker } from './metrics/observe-worker.js';
import { createWorkerMetrics } from './metrics/worker-metrics.js';
import { createAlertDeliveryWorker } from './monitor/alert-delivery.js';
import { createAlertPublisher } from './monitor/alert-publisher.js';
import { DEFAULT_THRESHOLDS } from './monitor/derive-health.js';
import { evolutionProbe, wuzapiProbe } from './monitor/gateway-probes.js';
import { createHealthTracker } from './monitor/health-tracker.js';
import { createInstanceMonitorWorker, ensureMonitorSchedule } from './monitor/instance-monitor.js';
import { createMonitorStore } from './monitor/monitor-store.js';
import { createQueueWatch } from './monitor/queue-watch.js';
import { createWebhookKeeper } from './monitor/webhook-keeper.js';
import { createOutboundWorker } from './outbound/index.js';
import { createSeenChats, startReconciliation } from './reconcile/index.js';

export interface WorkerRuntimeDeps {
  config: Config;
  logger: Logger;
  /** A `worker`-role connection (maxRetriesPerRequest: null). */
  connection: RedisClient;
  /** The events stage's own connection (main.ts auto-pipelines it); default `connection`. */
  eventsConnection?: RedisClient;
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
  eventsConnection = connection,
  registry,
}: WorkerRuntimeDeps): Promise<WorkerRuntime> {
  const log = logger.child({ component: 'runtime' });
  const system = createSystemQueues({ connection, config });
  const queues = system.byName;
  // Roles: only the queues in WORKER_QUEUES get a worker here; the others' jobs wait for a process that serves them.
  const serves = (queue: QueueName) => config.WORKER_QUEUES.includes(queue);
  const metrics = createWorkerMetrics({ registry, config, redis: connection, queues: system.all });
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
  const onTransition = createCircuitTelemetry({
    registry,
    redis: connection,
    prefix: config.QUEUE_PREFIX,
    publish,
    logger,
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

  const trace = createMessageTrace(connection, config.QUEUE_PREFIX, config.WEBHOOK_DEDUPE_TTL_SECONDS);
  const workers: Worker[] = [];
  const crmQueue = queues[QUEUES.crm];
  // The events stage's CRM queue and trace live on its connection: a message's trace entry, its place in its
  // chat's order and its CRM job are written on one connection, in that order (crm/chat-order.ts).
  const eventsCrmQueue =
    eventsConnection === connection ? crmQueue : createQueue(QUEUES.crm, { connection: eventsConnection, config });
  if (serves(QUEUES.events)) {
    const adapters = createGatewayAdapters();
    const crm = createCrmWork({ crmQueue: eventsCrmQueue, connection: eventsConnection, config });
    const seenChats = createSeenChats(eventsConnection, config.QUEUE_PREFIX);
    const eventsTrace =
      eventsConnection === connection
        ? trace
        : createMessageTrace(eventsConnection, config.QUEUE_PREFIX, config.WEBHOOK_DEDUPE_TTL_SECONDS);
    for (const shard of system.eventsShards) {
      workers.push(
        createEventsWorker({
          connection: eventsConnection,
          config,
          logger,
          adapters,
          crm,
          outboundQueue: queues[QUEUES.outbound],
          // A multi-item webhook's items stay on its instance's shard.
          eventsQueue: shard,
          tracker,
          metrics,
          seenChats,
          trace: eventsTrace,
          queueName: shard.name,
        }),
      );
    }
  }

  let stopSweeping = async () => {};
  if (serves(QUEUES.crm) && config.SUPER_CRM_API_KEY) {
    const crmClient = instrument('supercrm', createCrmClient(config, logger), true);
    workers.push(
      createCrmWorker({
        connection,
        config,
        logger,
        crmClient,
        crmQueue,
        workerOptions: baseWorkerOptions(config, connection, QUEUES.crm),
        trace,
        breaker: breakerFor('supercrm', config, connection, onTransition),
      }),
    );
    // Wake-ups a dead process or a failover may have lost: looked for now and whenever Redis comes back.
    const lostWakeUps = createLostWakeUpSweep({ queue: crmQueue, redis: connection, config, logger });
    const sweep = () => {
      lostWakeUps
        .run()
        .catch((err: Error) =>
          log.warn({ err: { message: err.message } }, 'chat order: sweep for lost wake-ups failed'),
        );
    };
    sweep();
    connection.on('ready', sweep);
    stopSweeping = () => {
      connection.off('ready', sweep);
      return lostWakeUps.settled();
    };
  } else if (serves(QUEUES.crm)) {
    log.error('SUPER_CRM_API_KEY is not set: CRM jobs are kept in Redis but not processed by this worker');
  }

  const evolution = config.EVOLUTION_API_URL
    ? instrument('evolution', createEvolutionClient(config, logger))
    : undefined;
  const wuzapi = config.WUZAPI_API_URL ? instrument('wuzapi', createWuzapiClient(config, logger)) : undefined;
  // Only sends go behind a gateway's breaker: the monitor's probes and look-ups must still see it.
  const guardSends = <T extends { sendText: unknown }>(api: 'evolution' | 'wuzapi', client: T) =>
    guardClient(client, {
      breaker: breakerFor(api, config, connection, onTransition),
      methods: ['sendText'],
      openMs: config.CIRCUIT_OPEN_MS,
    });
  if (serves(QUEUES.outbound) && (evolution || wuzapi)) {
    workers.push(
      createOutboundWorker({
        connection,
        config,
        logger,
        evolution: evolution && guardSends('evolution', evolution),
        wuzapi: wuzapi && guardSends('wuzapi', wuzapi),
        outboundQueue: queues[QUEUES.outbound],
        crmQueue,
        trace,
      }),
    );
  } else if (serves(QUEUES.outbound)) {
    log.error('neither EVOLUTION_API_URL nor WUZAPI_API_URL is set: outbound sends are kept in Redis but not sent');
  }

  // WUZAPI is watched and synced like Evolution: every user of WUZAPI_USER_TOKENS.
  const wuzapiUsers = wuzapi && config.WUZAPI_USER_TOKENS?.size ? wuzapi : undefined;
  const probes = [
    ...(evolution ? [evolutionProbe(config, evolution)] : []),
    ...(wuzapiUsers ? [wuzapiProbe(config, wuzapiUsers)] : []),
  ];
  if (probes.length > 0 && serves(QUEUES.monitor)) {
    const keeper = createWebhookKeeper({ redis: connection, config, logger, publish, evolution, wuzapi });
    workers.push(createInstanceMonitorWorker({ connection, config, logger, probes, tracker, keeper }));
    await ensureMonitorSchedule(queues[QUEUES.monitor], config);
  }
  if (probes.length > 0 && serves(QUEUES.contactSync)) {
    workers.push(
      createContactSyncWorker({
        connection,
        config,
        logger,
        contacts: routeContactSources({ config, evolution, wuzapi }),
        crmQueue,
        syncQueue: queues[QUEUES.contactSync],
      }),
    );
    await ensureContactSyncSchedule(queues[QUEUES.contactSync], config);
  }
  if (serves(QUEUES.backfill)) {
    const reconciler = await startReconciliation({
      connection,
      config,
      logger,
      queues,
      eventsQueueFor: system.eventsQueueFor,
      trace,
    });
    if (reconciler) workers.push(reconciler);
  }
  if (config.ALERT_WEBHOOK_URL && serves(QUEUES.alerts)) {
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

  const watch = createQueueWatch({ redis: connection, queues: system.all, config, publish, logger });
  // Every worker process checks; the alerts' quiet period makes it one alert however many run.
  const watchTimer = setInterval(() => {
    watch.check().catch((err: Error) => log.warn({ err: { message: err.message } }, 'queue watch failed'));
  }, config.ALERT_CHECK_INTERVAL_MS);
  watchTimer.unref();

  for (const worker of workers) {
    observeWorker(worker, metrics);
    worker.on('error', (err) => log.error({ err: { message: err.message }, queue: worker.name }, 'worker error'));
  }
  log.info(
    {
      queues: workers.map((w) => w.name),
      roles: config.WORKER_QUEUES,
      crmWindow: monitorKeys(config.QUEUE_PREFIX).crmRequests,
    },
    'workers started',
  );

  return {
    workers,
    queues,
    async close() {
      clearInterval(watchTimer);
      await stopSweeping();
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([system.close(), eventsCrmQueue === crmQueue ? undefined : eventsCrmQueue.close()]);
    },
  };
}
