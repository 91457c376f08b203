import {
  backoffStrategyFor,
  baseWorkerOptions,
  ExternalApiError,
  gatewayRetryPolicy,
  type OutboundResult,
  QUEUES,
} from '@zaprelay/core';
import { isSendOutcomeUnknown } from '@zaprelay/gateway-clients';
import { type BackoffStrategy, Worker } from 'bullmq';
import { createOutboundProcessor, type OutboundWorkerDeps } from './process-outbound-job.js';

/**
 * Core's jittered exponential backoff, except after an Evolution send whose
 * outcome is unknown: Evolution may still be working on the request we gave
 * up on, so the next attempt (which first looks for that message) waits at
 * least as long as we waited for the answer.
 */
function outboundBackoff(deps: OutboundWorkerDeps): BackoffStrategy {
  const base = backoffStrategyFor(gatewayRetryPolicy(deps.config));
  return async (attemptsMade, type, err, job) => {
    const delay = await base(attemptsMade, type, err, job);
    const evolutionInDoubt =
      err instanceof ExternalApiError && err.service === 'evolution' && isSendOutcomeUnknown(err);
    return evolutionInDoubt && delay >= 0 ? Math.max(delay, deps.config.EVOLUTION_TIMEOUT_MS) : delay;
  };
}

/** The BullMQ worker that sends queued outbound messages through Evolution or WUZAPI. */
export function createOutboundWorker(deps: OutboundWorkerDeps): Worker<unknown, OutboundResult> {
  const { config } = deps;
  const log = deps.logger.child({ component: 'outbound-worker' });
  const worker = new Worker<unknown, OutboundResult>(QUEUES.outbound, createOutboundProcessor(deps), {
    ...baseWorkerOptions(config, deps.connection, QUEUES.outbound),
    concurrency: config.WORKER_CONCURRENCY,
    ...(config.EVOLUTION_RATE_LIMIT_MAX
      ? { limiter: { max: config.EVOLUTION_RATE_LIMIT_MAX, duration: config.EVOLUTION_RATE_LIMIT_DURATION_MS } }
      : {}),
    settings: { backoffStrategy: outboundBackoff(deps) },
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError';
    if (final) log.error({ jobId: job.id, attempts: job.attemptsMade, reason: err.message }, 'send failed for good');
  });
  worker.on('error', (err) => log.error({ err: { message: err.message } }, 'outbound worker error'));
  return worker;
}
