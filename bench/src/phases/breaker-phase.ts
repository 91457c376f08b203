import { setTimeout as sleep } from 'node:timers/promises';
import { QUEUES } from '@zaprelay/core';
import { createSuperCrmDouble, deleteKeysUnder } from '@zaprelay/test-kit';
import { Queue } from 'bullmq';
import { BENCH_PHONE, storedEventJob } from '../load/webhook-body.js';
import { type BenchContext, benchPrefix, startWorker } from './context.js';

export interface BreakerResult {
  workers: number;
  downMs: number;
  backlog: number;
  /** Requests that reached the CRM while it was down. */
  requests: number;
  /** What the limiter would have let through in that time: max × downMs / windowMs. */
  allowance: number;
  max: number;
  windowMs: number;
  /** CRM jobs in the failed set at the end of the outage: must be 0. */
  failedJobs: number;
}

/**
 * The CRM answers 503 to everything for `downMs` while a backlog waits, with
 * the production defaults (100 per 60 s, CIRCUIT_* defaults, 30 attempts):
 * how many requests the outage costs, against what the limiter would allow.
 */
export async function benchBreaker(ctx: BenchContext, downMs: number, workers = 2): Promise<BreakerResult> {
  const max = 100;
  const windowMs = 60_000;
  const backlog = 200;
  ctx.log(`breaker: CRM down for ${downMs / 1000} s, ${workers} worker processes, backlog ${backlog} events`);
  const double = createSuperCrmDouble({ rateLimit: { max, windowMs } });
  await double.listen();
  const prefix = benchPrefix('breaker');
  const events = new Queue(QUEUES.events, { connection: ctx.redis, prefix });
  const crm = new Queue(QUEUES.crm, { connection: ctx.redis, prefix });
  try {
    double.seedContact({ name: 'Maria Souza', phone: BENCH_PHONE });
    double.injectFault({ type: 'unavailable', times: 1_000_000 });
    const env = { SUPER_CRM_BASE_URL: double.baseUrl, SUPER_CRM_API_KEY: double.apiKey };
    const procs = await Promise.all(Array.from({ length: workers }, () => startWorker(ctx, prefix, env)));
    const ids = Array.from({ length: backlog }, (_, i) => `${prefix}-${i}`);
    await events.addBulk(ids.map((id) => ({ name: 'messages.upsert', data: storedEventJob(id), opts: { jobId: id } })));
    await sleep(downMs);
    const requests = double.requests().filter((r) => r.fault === 'unavailable').length;
    const failedJobs = await crm.getFailedCount();
    await Promise.all(procs.map((p) => p.stop()));
    return {
      workers,
      downMs,
      backlog,
      requests,
      allowance: Math.floor((max * downMs) / windowMs),
      max,
      windowMs,
      failedJobs,
    };
  } finally {
    await events.close();
    await crm.close();
    await double.close();
    await deleteKeysUnder(ctx.redis, prefix);
  }
}
