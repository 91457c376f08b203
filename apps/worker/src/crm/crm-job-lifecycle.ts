import type { Config, CrmJob, Logger, RedisClient } from '@zaprelay/core';
import { Job, type Queue } from 'bullmq';
import { createChatOrder, wakeAtFront } from './chat-order.js';
import { createContactCache } from './contact-cache.js';
import { createContactUpserts } from './contact-upserts.js';

/**
 * What the CRM worker does around a job's steps for conversation order
 * (chat-order.ts) and cheap address-book replays (contact-upserts.ts).
 */
export interface CrmJobLifecycle {
  /** Before the first step: an upsert applies the newest name asked for its phone. */
  prepare(data: CrmJob): Promise<CrmJob>;
  /**
   * Before a step: if an earlier message of the chat is still pending, the
   * time to wait until (the job's deadline) and its data to store; else the
   * data to go on with (first in its chat, or the wait is over).
   */
  hold(
    jobId: string,
    data: CrmJob,
  ): Promise<{ wait: { until: number; data: CrmJob; heldBy: string } } | { go: CrmJob }>;
  /** After the job moved itself to the delayed set: it may have become first meanwhile. */
  recheck(job: Job, data: CrmJob): Promise<void>;
  done(jobId: string, data: CrmJob): Promise<void>;
  failedForGood(jobId: string, data: CrmJob): Promise<void>;
}

/** A message activity under its chat's order (it has a seq in the chat), with that seq. */
const ordered = (data: CrmJob) =>
  data.kind === 'message-activity' && data.chatSeq !== undefined ? { ...data, chatSeq: data.chatSeq } : undefined;

/**
 * A message asleep for its chat's order: parked behind an earlier one and not yet past the gate. A job in a
 * retry's backoff has passed it (it holds its activity seq), and is not one.
 */
export function parkedForChatOrder(data: CrmJob) {
  const m = ordered(data);
  return m?.orderWaitSince !== undefined && m.activitySeq === undefined ? m : undefined;
}

export function createCrmJobLifecycle(deps: {
  redis: RedisClient;
  queue: Queue;
  config: Pick<Config, 'QUEUE_PREFIX' | 'CRM_CONTACT_CACHE_TTL_SECONDS' | 'CRM_CHAT_ORDER_MAX_WAIT_MS'>;
  logger: Logger;
  /**
   * Since when the CRM has been reachable (its breaker closed, epoch ms; 0 if
   * it never tripped), or undefined while it is not. An earlier message held
   * back by an outage is not late by its own doing: only the time its chat
   * waited while the CRM was up counts towards CRM_CHAT_ORDER_MAX_WAIT_MS.
   */
  crmUpSince?: () => Promise<number | undefined>;
}): CrmJobLifecycle {
  const { config } = deps;
  const order = createChatOrder(deps.redis, deps.queue, config);
  const upserts = createContactUpserts(deps.redis, createContactCache(deps.redis, config), config);

  /**
   * The head of its chat asleep in the delayed set, waiting for a message that has left since: the wake-up
   * that message owed it was lost (its process, or the Redis master, died in between). Nothing holds it
   * now, so whoever finds it asleep wakes it; one in a retry's backoff (it already has its activity seq) sleeps on.
   */
  async function wakeIfAsleep(jobId: string) {
    const job = await Job.fromId(deps.queue, jobId);
    if (job && parkedForChatOrder(job.data as CrmJob)) await wakeAtFront(job);
  }

  async function waitingSince(first: number | undefined): Promise<number> {
    if (first === undefined || !deps.crmUpSince) return first ?? Date.now();
    const upSince = await deps.crmUpSince();
    return upSince === undefined ? Date.now() : Math.max(first, upSince);
  }

  return {
    async prepare(data) {
      if (data.kind !== 'contact-upsert' || data.step !== 'resolve-contact') return data;
      return { ...data, name: (await upserts.wanted(data.phone)) ?? data.name };
    },

    async hold(jobId, data) {
      const m = ordered(data);
      if (m?.step !== 'create-activity' || m.activitySeq !== undefined) return { go: data };
      const head = await order.blockedBy(m.message, jobId, m.chatSeq);
      if (head) {
        await wakeIfAsleep(head.jobId);
        const since = await waitingSince(m.orderWaitSince);
        const until = since + config.CRM_CHAT_ORDER_MAX_WAIT_MS;
        if (Date.now() < until) return { wait: { until, data: { ...m, orderWaitSince: since }, heldBy: head.jobId } };
        deps.logger.warn(
          { jobId, heldBy: head.jobId, waitedMs: Date.now() - since },
          'chat order: an earlier message of the chat held it longer than CRM_CHAT_ORDER_MAX_WAIT_MS; going on without it',
        );
        await order.giveUp(m.message, head);
      }
      return { go: { ...m, activitySeq: await order.nextActivitySeq(m.message) } };
    },

    async recheck(job, data) {
      const m = ordered(data);
      if (!m) return;
      const head = await order.blockedBy(m.message, job.id as string, m.chatSeq);
      if (head) return wakeIfAsleep(head.jobId);
      await wakeAtFront(job); // unless the message before it woke it already
    },

    async done(jobId, data) {
      const m = ordered(data);
      if (m) await order.leave(m.message, jobId, m.chatSeq);
      if (data.kind === 'contact-upsert') await upserts.applied(data.phone, data.name);
    },

    async failedForGood(jobId, data) {
      const m = ordered(data);
      if (m) await order.leave(m.message, jobId, m.chatSeq);
    },
  };
}
