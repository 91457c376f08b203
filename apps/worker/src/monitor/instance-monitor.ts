import { baseWorkerOptions, type Config, type Logger, QUEUES, type RedisClient } from '@zaprelay/core';
import { type Job, type Queue, Worker } from 'bullmq';
import type { HealthTracker } from './health-tracker.js';

/** What the monitor needs of a gateway (gateway-probes.ts builds one for Evolution and one for WUZAPI). */
export interface InstanceProbe {
  source?: 'evolution' | 'wuzapi';
  listInstances(): Promise<string[]>;
  connectionState(instance: string): Promise<{ state: string }>;
}

export const MONITOR_SCHEDULER_ID = 'instance-monitor';

/**
 * One schedule in Redis, however many workers run: upsertJobScheduler is
 * idempotent, and each tick produces exactly one job.
 */
export async function ensureMonitorSchedule(queue: Queue, config: Config): Promise<void> {
  if (!config.EVOLUTION_MONITORING_ENABLED) {
    await queue.removeJobScheduler(MONITOR_SCHEDULER_ID);
    return;
  }
  await queue.upsertJobScheduler(
    MONITOR_SCHEDULER_ID,
    { every: config.EVOLUTION_MONITORING_INTERVAL_MS },
    { name: 'check-instances', opts: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 } },
  );
}

async function probeOne(probe: InstanceProbe, instance: string) {
  const started = performance.now();
  const at = new Date().toISOString();
  try {
    const { state } = await probe.connectionState(instance);
    return { at, state, responseTimeMs: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      at,
      state: 'error',
      responseTimeMs: Math.round(performance.now() - started),
      error: err instanceof Error ? err.message : String(err),
    };
  }
}

export interface InstanceMonitorDeps {
  connection: RedisClient;
  config: Config;
  logger: Logger;
  /** One per configured gateway. */
  probes: InstanceProbe[];
  tracker: HealthTracker;
  /** Re-checks the webhooks set up through /api/setup/* on each tick (it spaces its own reads). */
  keeper?: { run(): Promise<unknown> };
}

/** Checks every instance's connection state and response time on each tick. */
export function createInstanceMonitorWorker({
  connection,
  config,
  logger,
  probes,
  tracker,
  keeper,
}: InstanceMonitorDeps): Worker {
  const log = logger.child({ component: 'instance-monitor' });
  return new Worker(
    QUEUES.monitor,
    async (job: Job) => {
      const results: Record<string, string> = {};
      for (const probe of probes) {
        for (const instance of await probe.listInstances()) {
          const entry = await probeOne(probe, instance);
          const verdict = await tracker.observeInstance(instance, probe.source ?? 'evolution', entry);
          results[instance] = verdict.status;
        }
      }
      await keeper?.run();
      log.debug({ jobId: job.id, results }, 'instances checked');
      return results;
    },
    { ...baseWorkerOptions(config, connection, QUEUES.monitor), concurrency: 1 },
  );
}
