import type { BreakerResult } from '../phases/breaker-phase.js';
import type { ClusterResults } from '../phases/cluster-phase.js';
import type { DeploymentResults } from '../phases/deployment-phase.js';
import type { IngressResults } from '../phases/ingress-phase.js';
import type { LatencyResult } from '../phases/latency-phase.js';
import type { LimiterResult } from '../phases/limiter-phase.js';
import type { WorkerResults } from '../phases/workers-phase.js';

export interface BenchResults {
  ingress: IngressResults;
  workers: WorkerResults;
  limiter: LimiterResult[];
  latency?: LatencyResult;
  breaker?: BreakerResult;
  /** Sentinel with REDIS_WAIT_REPLICAS, and the compiled build (report/deployment-md.ts). */
  deployment?: DeploymentResults;
  cluster?: ClusterResults;
}

export interface Row {
  what: string;
  zaprelay: string;
  ceiling: string;
  ratio: string;
  target: string;
  /** undefined: reported, no target. */
  met?: boolean;
  /** By how much a target was missed, in words. */
  miss?: string;
}

export const TARGETS = {
  ingressVsNaive: 0.9,
  ingressP99VsNaive: 1.5,
  eventsStageVsRaw: 0.5,
  limiterUtilisation: 0.95,
  latencyP99Ms: 1000,
  compiledRssBytes: 110 * 2 ** 20,
  readyMs: 1000,
  redisBytesPerEvent: 2048,
};

const num = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const perSec = (n: number) => `${num(n)}/s`;
const ratio = (n: number) => `${n.toFixed(2)}×`;
const ms = (n: number) => `${n < 10 ? n.toFixed(1) : num(n)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const pct = (have: number, want: number) => `${Math.round((1 - have / want) * 100)} %`;

export function rows({ ingress, workers, limiter, latency, breaker, cluster, deployment }: BenchResults): Row[] {
  const out: Row[] = [];
  const i = ingress.ingress;
  const naive = ingress.naive;
  const vsNaive = i.requestsPerSecond / naive.requestsPerSecond;
  const p99Ratio = i.p99Ms / naive.p99Ms;
  const fastEnough = vsNaive >= TARGETS.ingressVsNaive;
  const p99Ok = p99Ratio <= TARGETS.ingressP99VsNaive;
  const ingressMisses = [
    fastEnough ? '' : `${ratio(vsNaive)} of the naive ingress, ${pct(vsNaive, TARGETS.ingressVsNaive)} short of 0.9×`,
    p99Ok ? '' : `p99 ${ms(i.p99Ms)} = ${ratio(p99Ratio)} the naive one's ${ms(naive.p99Ms)}`,
  ].filter(Boolean);
  out.push({
    what: `Ingress: webhooks accepted (${i.total.toLocaleString('en-US')} in the run)`,
    zaprelay: `${perSec(i.requestsPerSecond)}, p50 ${ms(i.p50Ms)}, p99 ${ms(i.p99Ms)}; CPU ${num(i.cpuUsPerOp)} µs/webhook`,
    ceiling: `naive ingress ${perSec(naive.requestsPerSecond)}, p50 ${ms(naive.p50Ms)}, p99 ${ms(naive.p99Ms)}; CPU ${num(naive.cpuUsPerOp)} µs`,
    ratio: `${ratio(vsNaive)} (p99 ${ratio(p99Ratio)})`,
    target: '≥ 0.90× naive, p99 ≤ 1.5× naive',
    met: fastEnough && p99Ok,
    miss: ingressMisses.join('; ') || undefined,
  });
  out.push({
    what: 'Ingress vs raw Queue.add (no HTTP) and bare Fastify (nothing stored)',
    zaprelay: perSec(i.requestsPerSecond),
    ceiling: `raw add ${perSec(ingress.rawAdd.requestsPerSecond)}; bare Fastify ${perSec(ingress.bare.requestsPerSecond)}`,
    ratio: `${ratio(i.requestsPerSecond / ingress.rawAdd.requestsPerSecond)}; ${ratio(i.requestsPerSecond / ingress.bare.requestsPerSecond)}`,
    target: '(reported)',
  });
  const stage = workers.eventsStage.eventsPerSecond / workers.rawNoop.jobsPerSecond;
  out.push({
    what: `Events stage alone (${num(workers.events)} events → CRM jobs, 1 process, concurrency ${workers.concurrency})`,
    zaprelay: perSec(workers.eventsStage.eventsPerSecond),
    ceiling: `raw BullMQ no-op jobs ${perSec(workers.rawNoop.jobsPerSecond)}`,
    ratio: ratio(stage),
    target: '≥ 0.50× raw BullMQ',
    met: stage >= TARGETS.eventsStageVsRaw,
    miss:
      stage >= TARGETS.eventsStageVsRaw
        ? undefined
        : `${ratio(stage)}, ${pct(stage, TARGETS.eventsStageVsRaw)} short of 0.5×`,
  });
  out.push({
    what: `Workers end to end (events → CRM → activity, ${num(workers.events)}, 1 process, CRM unlimited)`,
    zaprelay: perSec(workers.endToEnd.eventsPerSecond),
    ceiling: `raw BullMQ no-op jobs ${perSec(workers.rawNoop.jobsPerSecond)}`,
    ratio: ratio(workers.endToEnd.eventsPerSecond / workers.rawNoop.jobsPerSecond),
    target: '(reported)',
  });
  for (const l of limiter) {
    const ok = l.minUtilisation >= TARGETS.limiterUtilisation && l.slidingMaxRatio <= 1 && l.refused === 0;
    const misses = [
      l.minUtilisation >= TARGETS.limiterUtilisation
        ? ''
        : `utilisation ${l.minUtilisation.toFixed(2)}, ${(TARGETS.limiterUtilisation - l.minUtilisation).toFixed(2)} under 0.95`,
      l.slidingMaxRatio <= 1 ? '' : `a sliding window held ${Math.round(l.slidingMaxRatio * l.max)} > ${l.max}`,
      l.refused === 0 ? '' : `${l.refused} requests refused with 429`,
    ].filter(Boolean);
    out.push({
      what: `CRM limit ${num(l.max)} per ${l.windowMs / 1000} s, ${l.workers} worker process${l.workers > 1 ? 'es' : ''}`,
      zaprelay: `per full window ${l.perFullWindow.map((n) => num(n)).join(', ')}; sliding max ${num(Math.round(l.slidingMaxRatio * l.max))}; ${l.requestsPerMessage.toFixed(2)} requests/message`,
      ceiling: `limit ${num(l.max)}`,
      ratio: `${l.minUtilisation.toFixed(3)} (max ${l.slidingMaxRatio.toFixed(3)})`,
      target: '≥ 0.95, never > 1.00, 0 × 429',
      met: ok,
      miss: misses.join('; ') || undefined,
    });
  }
  if (latency) {
    const ok = latency.p99Ms < TARGETS.latencyP99Ms;
    out.push({
      what: `Webhook → CRM activity, known contact (${latency.samples} webhooks, one per ${latency.spacingMs} ms, limit ${latency.max} per ${latency.windowMs / 1000} s)`,
      zaprelay: `p50 ${ms(latency.p50Ms)}, p99 ${ms(latency.p99Ms)}`,
      ceiling: '',
      ratio: '',
      target: 'p99 < 1 s',
      met: ok,
      miss: ok ? undefined : `p99 ${ms(latency.p99Ms)}`,
    });
  }
  const compiled = deployment?.compiled;
  if (compiled) {
    const rssOk = compiled.compiled.peakBytes < TARGETS.compiledRssBytes;
    out.push({
      what: 'Compiled ingress RSS under the load above (peak)',
      zaprelay: `${mib(compiled.compiled.peakBytes)} (idle ${mib(compiled.compiled.idleBytes)})`,
      ceiling: `tsx ${mib(compiled.tsx.peakBytes)} (idle ${mib(compiled.tsx.idleBytes)})`,
      ratio: '',
      target: '< 110 MB',
      met: rssOk,
      miss: rssOk ? undefined : `${mib(compiled.compiled.peakBytes - TARGETS.compiledRssBytes)} over`,
    });
    const slowest = Math.max(compiled.compiled.readyMs, compiled.workerReadyMs);
    out.push({
      what: 'Compiled processes: spawn → /health/ready',
      zaprelay: `ingress ${ms(compiled.compiled.readyMs)}, worker ${ms(compiled.workerReadyMs)}`,
      ceiling: `tsx ingress ${ms(compiled.tsx.readyMs)}`,
      ratio: '',
      target: '< 1 s each',
      met: slowest < TARGETS.readyMs,
      miss: slowest < TARGETS.readyMs ? undefined : `${ms(slowest)}`,
    });
  }
  if (breaker) {
    const ok = breaker.failedJobs === 0 && breaker.requests <= breaker.allowance / 10;
    out.push({
      what: `Breaker: CRM down ${breaker.downMs / 1000} s, ${breaker.backlog} events waiting, ${breaker.workers} workers`,
      zaprelay: `${breaker.requests} requests sent, ${breaker.failedJobs} jobs failed`,
      ceiling: `limiter allowance ${breaker.allowance} (${breaker.max} per ${breaker.windowMs / 1000} s)`,
      ratio: `${(breaker.requests / breaker.allowance).toFixed(2)}`,
      target: '≤ 0.10 of the allowance, 0 failed',
      met: ok,
      miss: ok ? undefined : `${breaker.requests} requests, ${breaker.failedJobs} failed`,
    });
  }
  if (cluster) {
    out.push({
      what: `Events on a 3-master Redis Cluster (${num(cluster.events)} events, ${cluster.shards} shards, ${cluster.workers} events workers × ${cluster.concurrency})`,
      zaprelay: `cluster ${perSec(cluster.cluster.eventsPerSecond)} (keys on ${cluster.cluster.masters} masters)`,
      ceiling: `one Redis ${perSec(cluster.single.eventsPerSecond)}`,
      ratio: ratio(cluster.cluster.eventsPerSecond / cluster.single.eventsPerSecond),
      target: '(reported)',
    });
  }
  out.push({
    what: 'Ingress RSS under load (peak), through tsx as in the rows above',
    zaprelay: mib(ingress.rss.peakBytes),
    ceiling: '',
    ratio: '',
    target: '(reported)',
  });
  const bpe = ingress.redis.bytesPerEvent;
  out.push({
    what: `Redis per queued text message, Redis as shipped (${ingress.redis.events.toLocaleString('en-US')} queued)`,
    zaprelay: `${num(bpe)} B`,
    ceiling: '',
    ratio: '',
    target: '< 2 KB',
    met: bpe < TARGETS.redisBytesPerEvent,
    miss: bpe < TARGETS.redisBytesPerEvent ? undefined : `${num(bpe - TARGETS.redisBytesPerEvent)} B over`,
  });
  out.push({
    what: `The same on a Redis at its defaults, without \`hash-max-listpack-value 1024\` (${ingress.redisDefaults.events.toLocaleString('en-US')} queued)`,
    zaprelay: `${num(ingress.redisDefaults.bytesPerEvent)} B`,
    ceiling: '',
    ratio: '',
    target: '(reported)',
  });
  return out;
}

const mark = (met: boolean | undefined) => (met === undefined ? '' : met ? '✅' : '❌');

export function markdownTable(table: Row[]): string {
  const lines = [
    '| measure | zaprelay | ceiling (same run) | ratio | target | |',
    '| --- | --- | --- | --- | --- | --- |',
    ...table.map((r) => `| ${r.what} | ${r.zaprelay} | ${r.ceiling} | ${r.ratio} | ${r.target} | ${mark(r.met)} |`),
  ];
  return lines.join('\n');
}
