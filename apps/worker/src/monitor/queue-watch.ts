import type { RedisClient } from '@zaprelay/core';
import { type Config, type Logger, monitorKeys } from '@zaprelay/core';
import type { Queue } from 'bullmq';
import type { AlertPublisher } from './alert-publisher.js';

export const WEBHOOK_SOURCES = ['evolution', 'wuzapi', 'supercrm'] as const;

export interface QueueWatchDeps {
  redis: RedisClient;
  queues: Queue[];
  config: Pick<
    Config,
    'QUEUE_PREFIX' | 'ALERT_FAILED_JOBS_THRESHOLD' | 'ALERT_FAILED_JOBS_WINDOW_MS' | 'ALERT_OLDEST_WAITING_MS'
  >;
  publish: AlertPublisher;
  logger: Logger;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * The conditions no single job reports: many jobs entering a failed set in a
 * window, a waiting job nobody takes, and webhooks the ingress refused with
 * 401 (a gateway with a wrong token drops those events for good, so the first
 * refusal already alerts). Each check reads a few keys per queue, one key per
 * command; the publisher's quiet period keeps many workers from repeating it.
 */
export function createQueueWatch({ redis, queues, config, publish, logger }: QueueWatchDeps) {
  const log = logger.child({ component: 'queue-watch' });

  async function checkQueue(queue: Queue, now: number) {
    // The failed set is scored by the time each job failed for good.
    const failed = await redis.zcount(queue.toKey('failed'), now - config.ALERT_FAILED_JOBS_WINDOW_MS, '+inf');
    if (failed >= config.ALERT_FAILED_JOBS_THRESHOLD) {
      await publish({
        type: 'jobsFailing',
        subject: `queue:${queue.name}`,
        reason: `${failed} jobs entered the failed set in the last ${seconds(config.ALERT_FAILED_JOBS_WINDOW_MS)} (threshold ${config.ALERT_FAILED_JOBS_THRESHOLD}); see Bull Board`,
      });
    }
    // Workers take from the tail of the wait list: the tail is the job waiting longest. Jobs with a priority
    // (the CRM's contact upserts) wait in the prioritized set instead, first in line at its lowest score.
    const [waitingId] = await redis.lrange(queue.toKey('wait'), -1, -1);
    const [prioritizedId] = await redis.zrange(queue.toKey('prioritized'), 0, 0);
    let oldestId: string | undefined;
    let age = Number.NEGATIVE_INFINITY;
    for (const id of [waitingId, prioritizedId]) {
      if (!id) continue;
      const waited = now - Number(await redis.hget(queue.toKey(id), 'timestamp'));
      if (waited > age) [oldestId, age] = [id, waited];
    }
    if (oldestId && Number.isFinite(age) && age > config.ALERT_OLDEST_WAITING_MS) {
      await publish({
        type: 'jobsWaitingTooLong',
        subject: `queue:${queue.name}`,
        reason: `oldest waiting job ${oldestId} has waited ${seconds(age)} (threshold ${seconds(config.ALERT_OLDEST_WAITING_MS)}); are its workers running?`,
      });
    }
  }

  async function checkRefused() {
    const keys = monitorKeys(config.QUEUE_PREFIX);
    for (const source of WEBHOOK_SOURCES) {
      const count = Number(await redis.getdel(keys.refused(source)));
      if (count > 0) {
        await publish({
          type: 'webhooksRefused',
          subject: `webhook:${source}`,
          reason: `${count} ${source} webhooks refused with 401 since the last check: the sender's token, key or signature is wrong, and gateways drop refused events for good`,
        });
      }
    }
  }

  return {
    async check(now = Date.now()): Promise<void> {
      for (const queue of queues) await checkQueue(queue, now);
      await checkRefused();
      log.debug('queues checked');
    },
  };
}

export type QueueWatch = ReturnType<typeof createQueueWatch>;
