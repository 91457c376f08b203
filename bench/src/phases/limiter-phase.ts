import { QUEUES } from '@zaprelay/core';
import { createSuperCrmDouble, deleteKeysUnder, maxInAnyWindow, waitFor } from '@zaprelay/test-kit';
import { Queue } from 'bullmq';
import { benchPhones, storedEventJob } from '../load/webhook-body.js';
import { type BenchContext, benchPrefix, crmEnv, startWorker } from './context.js';

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
  /** Requests per message that reached the CRM (known contacts: 1). */
  requestsPerMessage: number;
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

const CHATS = 100;

/**
 * A backlog larger than two windows, worked off by `workers` real worker
 * processes against the SuperCRM double with the same (shortened) limit; the
 * double's request log is the measure.
 */
export async function benchLimiter(
  ctx: BenchContext,
  workers: number,
  limit: { max: number; windowMs: number; backlog: number },
): Promise<LimiterResult> {
  const { max, windowMs, backlog } = limit;
  ctx.log(`limiter: ${workers} worker process(es), ${max} requests per ${windowMs} ms, backlog ${backlog} events`);
  const double = createSuperCrmDouble({ rateLimit: { max, windowMs } });
  await double.listen();
  const prefix = benchPrefix(`limiter-${workers}`);
  const queue = new Queue(QUEUES.events, { connection: ctx.redis, prefix });
  try {
    // Known contacts (one request per message), over many chats: a chat's messages go to the CRM one after the other.
    const phones = benchPhones(CHATS);
    for (const [i, phone] of phones.entries()) double.seedContact({ name: `Cliente ${i}`, phone });
    const env = crmEnv(double, { max, windowMs });
    const procs = await Promise.all(Array.from({ length: workers }, () => startWorker(ctx, prefix, env)));
    const ids = Array.from({ length: backlog }, (_, i) => `${prefix}-${i}`);
    for (let i = 0; i < ids.length; i += 1000) {
      const slice = ids.slice(i, i + 1000);
      await queue.addBulk(
        slice.map((id) => ({
          name: 'messages.upsert',
          data: storedEventJob(id, phones[Number(id.split('-').pop()) % CHATS]),
          opts: { jobId: id },
        })),
      );
    }
    await waitFor('the backlog to reach the CRM', () => double.activities().length >= backlog, 10 * 60_000, 200);
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
      requestsPerMessage: counted.length / double.activities().length,
    };
  } finally {
    await queue.close();
    await double.close();
    await deleteKeysUnder(ctx.redis, prefix);
  }
}
