import {
  alertSchema,
  backoffStrategyFor,
  baseWorkerOptions,
  type Config,
  gatewayRetryPolicy,
  type Logger,
  QUEUES,
  type RedisClient,
  rethrowForBullMQ,
  toExternalApiError,
} from '@zaprelay/core';
import axios from 'axios';
import { type Job, type Queue, Worker } from 'bullmq';
import { z } from 'zod';
import { alertBody } from './alert-format.js';

const alertJobSchema = z.object({ alert: alertSchema });

export interface AlertDeliveryDeps {
  connection: RedisClient;
  config: Config;
  logger: Logger;
  alertsQueue: Queue;
  url: string;
}

/** Posts each alert to ALERT_WEBHOOK_URL (JSON, or Slack's `{text}` with ALERT_FORMAT=slack), with the gateway retry policy. */
export function createAlertDeliveryWorker({ connection, config, logger, alertsQueue, url }: AlertDeliveryDeps): Worker {
  const log = logger.child({ component: 'alert-delivery' });
  const http = axios.create({ timeout: 10_000, headers: { 'user-agent': 'zaprelay-alerts' } });
  return new Worker(
    QUEUES.alerts,
    async (job: Job) => {
      const { alert } = alertJobSchema.parse(job.data);
      try {
        await http.post(url, alertBody(alert, config.ALERT_FORMAT));
      } catch (err) {
        const wrapped = toExternalApiError(err, 'alert-webhook', 'post');
        log.warn({ jobId: job.id, err: wrapped.toJSON() }, 'alert delivery failed');
        return rethrowForBullMQ(wrapped, alertsQueue);
      }
      log.info({ jobId: job.id, alertId: alert.id, subject: alert.subject }, 'alert delivered');
    },
    {
      ...baseWorkerOptions(config, connection, QUEUES.alerts),
      settings: { backoffStrategy: backoffStrategyFor(gatewayRetryPolicy(config)) },
    },
  );
}
