import { QUEUES } from '@zaprelay/core';
import { createSuperCrmDouble, deleteKeysUnder, type SuperCrmDouble, waitFor } from '@zaprelay/test-kit';
import { Queue } from 'bullmq';
import { startBenchProcess } from '../infra/bench-process.js';
import { runLoad } from '../load/run-load.js';
import { BENCH_PHONE, storedEventJob } from '../load/webhook-body.js';
import { type BenchContext, benchPrefix, startIngress, startWorker } from './context.js';

export interface WorkerResults {
  events: number;
  concurrency: number;
  endToEnd: { seconds: number; eventsPerSecond: number };
  rawNoop: { seconds: number; jobsPerSecond: number };
  /** The same no-op jobs under the limiter the CRM queue gets here ({max: 1, duration: 1 ms}). */
  rawNoopLimited: { seconds: number; jobsPerSecond: number };
  /** The CRM limiter's settings for this run and the rate it would allow. */
  crmLimit: { max: number; durationMs: number; limiterCeilingPerSecond: number };
}

/**
 * The loosest limit the CRM limiter can express: crmLimiterFor(1e6, 1000)
 * spaces CRM jobs by ceil((1000 + 200) / 1e6) = 1 ms, nominally 1000 CRM
 * requests/s. (BullMQ's handling of {max: 1, duration: 1 ms} costs more than
 * that: measured beside it with no-op jobs.)
 */
const UNTHROTTLED = { max: 1_000_000, durationMs: 1000, limiterCeilingPerSecond: 1000 };
const WARM_EVENTS = 300;

async function lastActivityAt(double: SuperCrmDouble, count: number): Promise<number> {
  await waitFor(`${count} activities in the CRM double`, () => double.activities().length >= count, 5 * 60_000, 25);
  const created = double
    .requests()
    .filter((r) => r.method === 'POST' && r.path.endsWith('/activities') && r.status === 201)
    .map((r) => r.time);
  return Math.max(...created);
}

/**
 * End to end: webhooks stored by the real ingress into a paused events queue,
 * then released to a real worker process (events → crm → SuperCRM double);
 * the clock runs from the release to the last activity the CRM created.
 */
async function endToEnd(ctx: BenchContext, events: number) {
  const double = createSuperCrmDouble({ rateLimit: { max: 1_000_000_000, windowMs: 1000 } });
  await double.listen();
  const prefix = benchPrefix('e2e');
  const queue = new Queue(QUEUES.events, { connection: ctx.redis, prefix });
  try {
    double.seedContact({ name: 'Maria Souza', phone: BENCH_PHONE });
    const ingress = await startIngress(ctx, prefix);
    const worker = await startWorker(ctx, prefix, {
      SUPER_CRM_BASE_URL: double.baseUrl,
      SUPER_CRM_API_KEY: double.apiKey,
      SUPER_CRM_RATE_LIMIT_MAX: String(UNTHROTTLED.max),
      SUPER_CRM_RATE_LIMIT_DURATION_MS: String(UNTHROTTLED.durationMs),
    });
    const post = async (amount: number) => {
      const r = await runLoad(ctx.children, { url: ingress.url, connections: 10, amount });
      if (r.total !== amount || r.non2xx > 0) throw new Error(`ingress accepted ${r.total - r.non2xx} of ${amount}`);
    };
    await post(WARM_EVENTS);
    await lastActivityAt(double, WARM_EVENTS);

    await queue.pause();
    await post(events);
    await ingress.stop();
    const started = Date.now();
    await queue.resume();
    const finished = await lastActivityAt(double, WARM_EVENTS + events);
    await worker.stop();
    if (double.activities().length !== WARM_EVENTS + events) {
      throw new Error(`the CRM holds ${double.activities().length} activities, expected ${WARM_EVENTS + events}`);
    }
    const seconds = (finished - started) / 1000;
    return { seconds, eventsPerSecond: events / seconds };
  } finally {
    await queue.close();
    await double.close();
    await deleteKeysUnder(ctx.redis, prefix);
  }
}

/** BullMQ's own ceiling: a bare Worker (same concurrency) draining the same number of no-op jobs. */
async function rawNoop(ctx: BenchContext, jobs: number, limiter?: { max: number; duration: number }) {
  const prefix = benchPrefix('raw-worker');
  const queue = new Queue(QUEUES.events, { connection: ctx.redis, prefix });
  const add = async (from: number, count: number) => {
    for (let i = from; i < from + count; i += 500) {
      const ids = Array.from({ length: Math.min(500, from + count - i) }, (_, k) => `noop-${i + k}`);
      await queue.addBulk(ids.map((id) => ({ name: 'noop', data: storedEventJob(id), opts: { jobId: id } })));
    }
  };
  try {
    const worker = startBenchProcess<{ lastCompletedAt: number; completed: number }>(
      ctx.children,
      'processes/raw-worker.ts',
      { total: WARM_EVENTS + jobs, limiter },
      {
        REDIS_URL: ctx.redisUrl,
        QUEUE_PREFIX: prefix,
        WORKER_CONCURRENCY: String(ctx.settings.workerConcurrency),
      },
    );
    await worker.ready;
    await add(0, WARM_EVENTS);
    await waitFor('raw warm-up', async () => (await queue.getCompletedCount()) >= WARM_EVENTS, 30_000, 25);
    await queue.pause();
    await add(WARM_EVENTS, jobs);
    const started = Date.now();
    await queue.resume();
    const { lastCompletedAt } = await worker.result;
    const seconds = (lastCompletedAt - started) / 1000;
    return { seconds, jobsPerSecond: jobs / seconds };
  } finally {
    await queue.close();
    await deleteKeysUnder(ctx.redis, prefix);
  }
}

export async function benchWorkers(ctx: BenchContext): Promise<WorkerResults> {
  const { workerEvents: events, workerConcurrency: concurrency } = ctx.settings;
  ctx.log(`workers 1/3: end to end, ${events} events, one worker process, concurrency ${concurrency}`);
  const e2e = await endToEnd(ctx, events);
  ctx.log(`workers 2/3: raw BullMQ Worker, ${events} no-op jobs, concurrency ${concurrency}`);
  const raw = await rawNoop(ctx, events);
  ctx.log(`workers 3/3: the same under the CRM queue's limiter here, {max: 1, duration: 1 ms}`);
  const limited = await rawNoop(ctx, events, { max: 1, duration: 1 });
  return { events, concurrency, endToEnd: e2e, rawNoop: raw, rawNoopLimited: limited, crmLimit: UNTHROTTLED };
}
