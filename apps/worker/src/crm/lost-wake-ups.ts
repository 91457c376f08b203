import { type Config, crmJobSchema, type Logger, type RedisClient } from '@zaprelay/core';
import type { Job, Queue } from 'bullmq';
import { createChatOrder, wakeAtFront } from './chat-order.js';
import { parkedForChatOrder } from './crm-job-lifecycle.js';

/** Delayed jobs read per page. */
const PAGE = 500;

/** The job's data if it is asleep for its chat's order (a delayed job may also be in a retry's backoff). */
function parkedForOrder(job: Job) {
  const parsed = crmJobSchema.safeParse(job.data);
  return parsed.success ? parkedForChatOrder(parsed.data) : undefined;
}

/**
 * Wakes messages asleep for their chat's order whose wake-up was lost.
 *
 * A message parked behind an earlier one of its chat is woken by that one when
 * it leaves (chat-order.ts). When the process running it dies in between (a
 * deploy, a killed pod), or a Redis failover loses the wake-up, the message
 * sleeps until its deadline (CRM_CHAT_ORDER_MAX_WAIT_MS, 15 minutes by
 * default), unless a later message of its chat comes and finds it. Those are
 * the moments to look: a worker process sweeps when it starts and each time
 * its Redis connection comes back.
 *
 * Reads the CRM queue's delayed set page by page (jobs in a retry's backoff
 * are left alone) and wakes, to the front of the queue, each parked message
 * that nothing pending precedes any more. Sweeps do not overlap.
 */
export function createLostWakeUpSweep(deps: {
  queue: Queue;
  redis: RedisClient;
  config: Pick<Config, 'QUEUE_PREFIX'>;
  logger: Logger;
}) {
  const order = createChatOrder(deps.redis, deps.queue, deps.config);
  const log = deps.logger.child({ component: 'chat-order-sweep' });
  let running: Promise<number> | undefined;

  async function sweep(): Promise<number> {
    // Ids first: a woken job leaves the delayed set, which would shift the pages still to read.
    const parked: { job: Job; data: NonNullable<ReturnType<typeof parkedForOrder>> }[] = [];
    for (let start = 0; ; start += PAGE) {
      const page = await deps.queue.getDelayed(start, start + PAGE - 1);
      for (const job of page) {
        const data = parkedForOrder(job);
        if (data) parked.push({ job, data });
      }
      if (page.length < PAGE) break;
    }
    let woken = 0;
    for (const { job, data } of parked) {
      // Finished or vanished heads are dropped from the chat's set on the way (as a job's own check does).
      if (await order.blockedBy(data.message, job.id as string, data.chatSeq)) continue;
      await wakeAtFront(job);
      woken++;
    }
    return woken;
  }

  return {
    /** How many were woken (0 while another sweep runs: that one does the work). */
    async run(): Promise<number> {
      if (running) return 0;
      running = sweep();
      try {
        const woken = await running;
        if (woken > 0) log.info({ woken }, 'chat order: woke messages whose wake-up was lost');
        return woken;
      } finally {
        running = undefined;
      }
    },
    /** Resolves once no sweep is running (its outcome is run()'s to report). */
    async settled(): Promise<void> {
      await running?.catch(() => undefined);
    },
  };
}
