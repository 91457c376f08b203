import { crmJobSchema, logicalQueueOf, QUEUES } from '@zaprelay/core';
import type { Job, Worker } from 'bullmq';
import type { WorkerMetrics } from './worker-metrics.js';

const isFinalFailure = (job: Job, err: Error) =>
  err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);

/** Job outcomes, attempts and time to success for one worker, from BullMQ's own events. */
export function observeWorker(worker: Worker, metrics: WorkerMetrics): void {
  // Events shards count as the one logical events queue.
  const queue = logicalQueueOf(worker.name) ?? worker.name;
  worker.on('completed', (job) => {
    metrics.jobs.inc({ queue, name: job.name, outcome: 'completed' });
    metrics.attempts.observe({ queue, name: job.name, outcome: 'completed' }, Math.max(1, job.attemptsMade));
    if (job.finishedOn)
      metrics.timeToSuccess.observe({ queue, name: job.name }, (job.finishedOn - job.timestamp) / 1000);
    if (queue === QUEUES.crm) countSyncedMessage(job, metrics);
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const outcome = isFinalFailure(job, err) ? 'failed' : 'retrying';
    metrics.jobs.inc({ queue, name: job.name, outcome });
    if (outcome === 'failed')
      metrics.attempts.observe({ queue, name: job.name, outcome }, Math.max(1, job.attemptsMade));
  });
}

/** A completed message-activity job is one WhatsApp message in the CRM. */
function countSyncedMessage(job: Job, metrics: WorkerMetrics): void {
  const data = crmJobSchema.safeParse(job.data);
  if (data.success && data.data.kind === 'message-activity') {
    metrics.messages.inc({ direction: data.data.message.direction });
  }
}
