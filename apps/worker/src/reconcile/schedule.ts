import { type BackfillJob, type Config, configuredInstances } from '@zaprelay/core';
import type { Queue } from 'bullmq';

export const RECONCILE_SCHEDULER_ID = 'reconcile';

/** The fixed job id of an instance's scheduled run: while one exists, the next tick adds nothing. */
export const scheduledRunId = (instance: string) => `reconcile-${instance}`;

/**
 * One scheduler in Redis however many workers run (upsertJobScheduler is
 * idempotent); RECONCILE_INTERVAL_MS=0 removes it.
 */
export async function ensureReconcileSchedule(queue: Queue, config: Config): Promise<void> {
  if (config.RECONCILE_INTERVAL_MS === 0 || configuredInstances(config).length === 0) {
    await queue.removeJobScheduler(RECONCILE_SCHEDULER_ID);
    return;
  }
  await queue.upsertJobScheduler(
    RECONCILE_SCHEDULER_ID,
    { every: config.RECONCILE_INTERVAL_MS },
    { name: 'reconcile-tick', opts: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 } },
  );
}

/**
 * A tick queues one run per configured instance under a fixed id, so one run
 * per instance at a time across all workers: a tick that finds the previous
 * run still waiting or running adds nothing. A failed run stays visible in the
 * failed set until the next tick replaces it.
 */
export async function queueScheduledRuns(queue: Queue, config: Config, now = Date.now()): Promise<string[]> {
  const started: string[] = [];
  for (const { instance, gateway } of configuredInstances(config)) {
    const id = scheduledRunId(instance);
    const previous = await queue.getJob(id);
    if (previous && (await previous.isFailed())) await previous.remove();
    else if (previous) continue;
    const data: BackfillJob = {
      instance,
      gateway,
      since: now - config.RECONCILE_WINDOW_MS,
      until: now,
      origin: 'schedule',
      requestedAt: now,
    };
    await queue.add('backfill', data, { jobId: id, removeOnComplete: true, removeOnFail: false });
    started.push(id);
  }
  return started;
}
