import { QUEUES } from '@zaprelay/core';
import { createSuperCrmDouble, deleteKeysUnder, type SuperCrmDouble, waitFor } from '@zaprelay/test-kit';
import { Queue } from 'bullmq';
import { startBenchProcess } from '../infra/bench-process.js';
import { inTurns } from '../infra/in-turns.js';
import { runLoad } from '../load/run-load.js';
import { BENCH_PHONE, storedEventJob } from '../load/webhook-body.js';
import { type BenchContext, benchPrefix, crmEnv, startIngress, startWorker } from './context.js';

export interface WorkerResults {
  events: number;
  concurrency: number;
  endToEnd: { seconds: number; eventsPerSecond: number };
  rawNoop: { seconds: number; jobsPerSecond: number };
  /** The events stage alone (WORKER_QUEUES=events): stored webhooks → CRM jobs, no CRM request. */
  eventsStage: { seconds: number; eventsPerSecond: number };
  /** The CRM limiter's settings for this run and the rate it would allow. */
  crmLimit: { max: number; durationMs: number; limiterCeilingPerSecond: number };
}

/** A CRM plan far larger than this machine can fill: the CRM stage runs as fast as the worker can. */
const UNTHROTTLED = { max: 1_000_000, durationMs: 1000, limiterCeilingPerSecond: 1_000_000 };
const WARM_EVENTS = 300;

/** When the double created its latest activity, once it holds `count`. */
export async function lastActivityAt(double: SuperCrmDouble, count: number, pollMs = 25): Promise<number> {
  await waitFor(`${count} activities in the CRM double`, () => double.activities().length >= count, 5 * 60_000, pollMs);
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
    const worker = await startWorker(
      ctx,
      prefix,
      crmEnv(double, { max: UNTHROTTLED.max, windowMs: UNTHROTTLED.durationMs }),
    );
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

/**
 * The events stage alone: the same stored webhooks in a paused events queue,
 * one worker process serving only that queue (WORKER_QUEUES=events); the
 * clock runs from the release until every event is a waiting CRM job.
 */
async function eventsStage(ctx: BenchContext, events: number) {
  const prefix = benchPrefix('events-stage');
  const queue = new Queue(QUEUES.events, { connection: ctx.redis, prefix });
  const crm = new Queue(QUEUES.crm, { connection: ctx.redis, prefix });
  const add = async (from: number, count: number) => {
    for (let i = from; i < from + count; i += 500) {
      const ids = Array.from({ length: Math.min(500, from + count - i) }, (_, k) => `stage-${i + k}`);
      await queue.addBulk(
        ids.map((id) => ({ name: 'messages.upsert', data: storedEventJob(id), opts: { jobId: id } })),
      );
    }
  };
  const crmJobs = () => crm.getJobCountByTypes('waiting', 'prioritized', 'delayed', 'active', 'waiting-children');
  try {
    // Ready only with a CRM key; this worker never calls the CRM.
    const worker = await startWorker(ctx, prefix, { WORKER_QUEUES: 'events', SUPER_CRM_API_KEY: 'bench-unused' });
    await add(0, WARM_EVENTS);
    await waitFor('events warm-up', async () => (await crmJobs()) >= WARM_EVENTS, 60_000, 25);
    await queue.pause();
    await add(WARM_EVENTS, events);
    const started = Date.now();
    await queue.resume();
    await waitFor('every event a CRM job', async () => (await crmJobs()) >= WARM_EVENTS + events, 5 * 60_000, 10);
    const seconds = (Date.now() - started) / 1000;
    await worker.stop();
    return { seconds, eventsPerSecond: events / seconds };
  } finally {
    await queue.close();
    await crm.close();
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

/** Rounds of the events stage and of the no-op worker, in turns (see benchWorkers). */
export const WORKERS_ROUNDS = 3;

/** Several drains of one kind added up: the rate over their total time. */
const sumOf = (runs: { seconds: number }[], items: number) => {
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  return { seconds, perSecond: (items * runs.length) / seconds };
};

/**
 * The events stage and its ceiling are drained in turns (WORKERS_ROUNDS each, the order flipping every
 * round) and added up: a no-op drain of 5,000 jobs takes half a second, so a busy moment of this shared machine
 * falling on one of them alone moved their ratio by half.
 */
export async function benchWorkers(ctx: BenchContext): Promise<WorkerResults> {
  const { workerEvents: events, workerConcurrency: concurrency } = ctx.settings;
  ctx.log(`workers 1/2: end to end, ${events} events, one worker process, concurrency ${concurrency}`);
  const e2e = await endToEnd(ctx, events);
  const rounds = WORKERS_ROUNDS;
  ctx.log(
    `workers 2/2: the events stage alone (WORKER_QUEUES=events) and a raw BullMQ Worker (no-op, concurrency ${concurrency}), ${events} events each, ${rounds} rounds in turns`,
  );
  const stages: { seconds: number }[] = [];
  const raws: { seconds: number }[] = [];
  await inTurns(
    rounds,
    async () => stages.push(await eventsStage(ctx, events)),
    async () => raws.push(await rawNoop(ctx, events)),
  );
  const stage = sumOf(stages, events);
  const raw = sumOf(raws, events);
  return {
    events,
    concurrency,
    endToEnd: e2e,
    rawNoop: { seconds: raw.seconds, jobsPerSecond: raw.perSecond },
    eventsStage: { seconds: stage.seconds, eventsPerSecond: stage.perSecond },
    crmLimit: UNTHROTTLED,
  };
}
