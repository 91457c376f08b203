import {
  backoffStrategyFor,
  baseWorkerOptions,
  type Config,
  type CrmJob,
  crmRetryPolicy,
  type Logger,
  QUEUES,
  type RedisClient,
  rethrowForBullMQ,
  toJobId,
} from '@zaprelay/core';
import { type Job, type Queue, WaitingChildrenError, Worker } from 'bullmq';
import { CRM_PRIORITY } from '../crm/crm-priorities.js';
import { type ContactSyncResult, contactSyncJobSchema } from './sync-job.js';

/** What a sync needs of the gateway; the Evolution client provides it. */
export interface ContactSource {
  findContacts(instance: string): Promise<Array<{ remoteJid: string; pushName?: string | null }>>;
}

/** `5511987654321@s.whatsapp.net` → `+5511987654321`; groups, @lid and broadcasts have no phone. */
export function phoneFromJid(jid: string): string | undefined {
  const match = /^(\d{7,15})@s\.whatsapp\.net$/.exec(jid);
  return match ? `+${match[1]}` : undefined;
}

export interface ContactSyncDeps {
  connection: RedisClient;
  config: Config;
  logger: Logger;
  contacts: ContactSource;
  crmQueue: Queue;
  syncQueue: Queue;
}

/**
 * A contact sync is a parent job with one CRM `contact-upsert` child per
 * contact: the children go through the CRM queue and its rate limit, the
 * parent waits for them (its dependency counts are the progress) and
 * completes when every child has. A failed child is recorded, not blocking.
 */
export function createContactSyncWorker(deps: ContactSyncDeps): Worker {
  const log = deps.logger.child({ component: 'contact-sync' });
  return new Worker(
    QUEUES.contactSync,
    async (job: Job, token?: string) => {
      const data = contactSyncJobSchema.parse(job.data);
      if (data.step === 'fetch') {
        let found: Awaited<ReturnType<ContactSource['findContacts']>>;
        try {
          found = await deps.contacts.findContacts(data.instance);
        } catch (err) {
          return rethrowForBullMQ(err, deps.syncQueue);
        }
        const byPhone = new Map<string, string | undefined>();
        for (const c of found) {
          const phone = phoneFromJid(c.remoteJid);
          if (phone && !byPhone.has(phone)) byPhone.set(phone, c.pushName ?? undefined);
        }
        const parent = { id: job.id as string, queue: job.queueQualifiedName };
        await deps.crmQueue.addBulk(
          [...byPhone].map(([phone, name]) => ({
            name: 'contact-upsert',
            data: { kind: 'contact-upsert', phone, name, source: 'whatsapp', step: 'resolve-contact' } satisfies CrmJob,
            opts: {
              jobId: toJobId(`sync:${job.id}:${phone}`),
              parent,
              ignoreDependencyOnFailure: true,
              priority: CRM_PRIORITY.contactSync,
            },
          })),
        );
        await job.updateData({ ...data, step: 'children', total: byPhone.size, skipped: found.length - byPhone.size });
        log.info({ jobId: job.id, instance: data.instance, total: byPhone.size }, 'contact sync started');
      }
      if (token && (await job.moveToWaitingChildren(token))) throw new WaitingChildrenError();
      const counts = await job.getDependenciesCount({ processed: true, ignored: true, failed: true });
      const fresh = contactSyncJobSchema.parse(job.data);
      const result: ContactSyncResult = {
        instance: fresh.instance,
        total: fresh.total ?? 0,
        synced: counts.processed ?? 0,
        failed: (counts.ignored ?? 0) + (counts.failed ?? 0),
        skipped: fresh.skipped ?? 0,
      };
      log.info({ jobId: job.id, ...result }, 'contact sync finished');
      return result;
    },
    {
      ...baseWorkerOptions(deps.config, deps.connection, QUEUES.contactSync),
      settings: { backoffStrategy: backoffStrategyFor(crmRetryPolicy(deps.config)) },
    },
  );
}
