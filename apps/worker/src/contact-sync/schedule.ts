import type { Config } from '@zaprelay/core';
import type { Queue } from 'bullmq';
import type { ContactSyncJob } from './sync-job.js';

const schedulerId = (instance: string) => `contact-sync:${instance}`;

/**
 * CONTACT_SYNC_CRON: one scheduler per configured instance, the same in
 * every worker (upsert is idempotent), so each tick starts one sync.
 */
export async function ensureContactSyncSchedule(queue: Queue, config: Config): Promise<void> {
  const cron = config.CONTACT_SYNC_CRON;
  for (const instance of config.EVOLUTION_INSTANCES ?? []) {
    if (!cron) {
      await queue.removeJobScheduler(schedulerId(instance));
      continue;
    }
    const data: ContactSyncJob = { instance, origin: 'schedule', requestedAt: 0, step: 'fetch' };
    await queue.upsertJobScheduler(schedulerId(instance), { pattern: cron }, { name: 'contact-sync', data });
  }
}
