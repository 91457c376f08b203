import { setTimeout as sleep } from 'node:timers/promises';
import { createSuperCrmDouble, deleteKeysUnder } from '@zaprelay/test-kit';
import { BENCH_PHONE, evolutionTextWebhookTemplate } from '../load/webhook-body.js';
import { type BenchContext, benchPrefix, crmEnv, startIngress, startWorker } from './context.js';
import { lastActivityAt } from './workers-phase.js';

export interface LatencyResult {
  samples: number;
  spacingMs: number;
  /** The CRM limit the worker ran with (the production default). */
  max: number;
  windowMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Webhook → CRM activity for a known contact, with CRM capacity to spare: the
 * real ingress and one worker process under the production limit (100 per
 * 60 s), webhooks sent one at a time below that rate. Latency: from just
 * before the POST to the moment the double created the activity (same clock:
 * both in this process).
 */
export async function benchLatency(ctx: BenchContext): Promise<LatencyResult> {
  const { samples, spacingMs } = ctx.settings.latency;
  const limit = { max: 100, windowMs: 60_000 };
  ctx.log(`latency: ${samples} webhooks, one every ${spacingMs} ms, CRM limit ${limit.max} per ${limit.windowMs} ms`);
  const double = createSuperCrmDouble({ rateLimit: limit });
  await double.listen();
  const prefix = benchPrefix('latency');
  try {
    double.seedContact({ name: 'Maria Souza', phone: BENCH_PHONE });
    const ingress = await startIngress(ctx, prefix);
    const worker = await startWorker(ctx, prefix, crmEnv(double, limit));
    const body = evolutionTextWebhookTemplate();
    const latencies: number[] = [];
    // One warm-up message (connections, caches), not counted.
    for (let i = -1; i < samples; i++) {
      const sentAt = Date.now();
      const res = await fetch(ingress.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body(`latency-${prefix}-${i}`),
      });
      if (res.status !== 202) throw new Error(`latency: the ingress answered ${res.status}`);
      const created = await lastActivityAt(double, i + 2, 2);
      if (i >= 0) latencies.push(created - sentAt);
      await sleep(Math.max(0, spacingMs - (Date.now() - sentAt)));
    }
    await worker.stop();
    await ingress.stop();
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? 0;
    return {
      samples,
      spacingMs,
      ...limit,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: latencies.at(-1) ?? 0,
    };
  } finally {
    await double.close();
    await deleteKeysUnder(ctx.redis, prefix);
  }
}
