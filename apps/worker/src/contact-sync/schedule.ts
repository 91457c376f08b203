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
  // WUZAPI users are named by WUZAPI_USER_TOKENS; Evolution's by EVOLUTION_INSTANCES.
  const instances = [...(config.EVOLUTION_INSTANCES ?? []), ...(config.WUZAPI_USER_TOKENS?.keys() ?? [])];
  for (const instance of instances) {
    if (!cron) {
      await queue.removeJobScheduler(schedulerId(instance));
      continue;
    }
    const data: ContactSyncJob = { instance, origin: 'schedule', requestedAt: 0, step: 'fetch' };
    await queue.upsertJobScheduler(schedulerId(instance), { pattern: cron }, { name: 'contact-sync', data });
  }
}
