import { QUEUES } from '@zaprelay/core';
import { createSuperCrmDouble, deleteKeysUnder, maxInAnyWindow, waitFor } from '@zaprelay/test-kit';
import { Queue } from 'bullmq';
import { BENCH_PHONE, storedEventJob } from '../load/webhook-body.js';
import { type BenchContext, benchPrefix, startWorker } from './context.js';

export interface LimiterResult {
  workers: number;
  max: number;
  windowMs: number;
  requests: number;
  /** Requests in each full window, windows laid end to end from the first request. */
  perFullWindow: number[];
  /** Lowest full window / max: the target's "utilisation". */
  minUtilisation: number;
  meanUtilisation: number;
  /** Most requests in any sliding window / max: must never exceed 1. */
  slidingMaxRatio: number;
  /** Refused by the double (429): must be 0. */
  refused: number;
}

/** Request counts per window of `windowMs`, from the first request, for each window the backlog filled completely. */
export function countPerFullWindow(times: number[], windowMs: number): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (first === undefined || last === undefined) return [];
  const counts: number[] = [];
  for (let from = first; from + windowMs <= last; from += windowMs) {
    counts.push(sorted.filter((t) => t >= from && t < from + windowMs).length);
  }
  return counts;
}

/**
 * A backlog larger than two windows, worked off by `workers` real worker
 * processes against the SuperCRM double with the same (shortened) limit; the
 * double's request log is the measure.
 */
export async function benchLimiter(ctx: BenchContext, workers: number): Promise<LimiterResult> {
  const { max, windowMs, backlog } = ctx.settings.limiter;
  ctx.log(`limiter: ${workers} worker process(es), ${max} requests per ${windowMs} ms, backlog ${backlog} events`);
  const double = createSuperCrmDouble({ rateLimit: { max, windowMs } });
  await double.listen();
  const prefix = benchPrefix(`limiter-${workers}`);
  const queue = new Queue(QUEUES.events, { connection: ctx.redis, prefix });
  try {
    double.seedContact({ name: 'Maria Souza', phone: BENCH_PHONE });
    const env = {
      SUPER_CRM_BASE_URL: double.baseUrl,
      SUPER_CRM_API_KEY: double.apiKey,
      SUPER_CRM_RATE_LIMIT_MAX: String(max),
      SUPER_CRM_RATE_LIMIT_DURATION_MS: String(windowMs),
    };
    const procs = await Promise.all(Array.from({ length: workers }, () => startWorker(ctx, prefix, env)));
    const ids = Array.from({ length: backlog }, (_, i) => `${prefix}-${i}`);
    await queue.addBulk(ids.map((id) => ({ name: 'messages.upsert', data: storedEventJob(id), opts: { jobId: id } })));
    await waitFor('the backlog to reach the CRM', () => double.activities().length >= backlog, 5 * 60_000, 200);
    await Promise.all(procs.map((p) => p.stop()));

    const counted = double.requests().filter((r) => r.authenticated);
    const perFullWindow = countPerFullWindow(
      counted.map((r) => r.time),
      windowMs,
    );
    return {
      workers,
      max,
      windowMs,
      requests: counted.length,
      perFullWindow,
      minUtilisation: Math.min(...perFullWindow) / max,
      meanUtilisation: perFullWindow.reduce((a, b) => a + b, 0) / perFullWindow.length / max,
      slidingMaxRatio:
        maxInAnyWindow(
          counted.map((r) => r.time),
          windowMs,
        ) / max,
      refused: counted.filter((r) => r.status === 429).length,
    };
  } finally {
    await queue.close();
    await double.close();
    await deleteKeysUnder(ctx.redis, prefix);
  }
}
