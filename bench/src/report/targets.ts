import type { BreakerResult } from '../phases/breaker-phase.js';
import type { ClusterResults } from '../phases/cluster-phase.js';
import type { DeploymentResults } from '../phases/deployment-phase.js';
import type { IngressResults } from '../phases/ingress-phase.js';
import type { LimiterResult } from '../phases/limiter-phase.js';
import type { WorkerResults } from '../phases/workers-phase.js';

export interface BenchResults {
  ingress: IngressResults;
  workers: WorkerResults;
  limiter: LimiterResult[];
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
  ingressVsRawAdd: 0.8,
  ingressP99Ms: 10,
  workersVsRaw: 0.8,
  limiterUtilisation: 0.98,
  ingressRssBytes: 150 * 2 ** 20,
  redisBytesPerEvent: 2048,
};

const num = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const perSec = (n: number) => `${num(n)}/s`;
const ratio = (n: number) => `${n.toFixed(2)}×`;
const ms = (n: number) => `${n < 10 ? n.toFixed(1) : num(n)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const pct = (have: number, want: number) => `${Math.round((1 - have / want) * 100)} %`;

export function rows({ ingress, workers, limiter, breaker, cluster }: BenchResults): Row[] {
  const out: Row[] = [];
  const i = ingress.ingress;
  const vsAdd = i.requestsPerSecond / ingress.rawAdd.requestsPerSecond;
  const fastEnough = vsAdd >= TARGETS.ingressVsRawAdd;
  const p99Ok = i.p99Ms <= TARGETS.ingressP99Ms;
  const ingressMisses = [
    fastEnough ? '' : `${ratio(vsAdd)} of raw Queue.add, ${pct(vsAdd, TARGETS.ingressVsRawAdd)} short of 0.8×`,
    p99Ok ? '' : `p99 ${ms(i.p99Ms)}, ${ms(i.p99Ms - TARGETS.ingressP99Ms)} over 10 ms`,
  ].filter(Boolean);
  out.push({
    what: `Ingress: webhooks accepted (${i.total.toLocaleString('en-US')} in the run)`,
    zaprelay: `${perSec(i.requestsPerSecond)}, p50 ${ms(i.p50Ms)}, p99 ${ms(i.p99Ms)}`,
    ceiling: `raw Queue.add ${perSec(ingress.rawAdd.requestsPerSecond)}, p50 ${ms(ingress.rawAdd.p50Ms)}, p99 ${ms(ingress.rawAdd.p99Ms)}`,
    ratio: ratio(vsAdd),
    target: '≥ 0.80× raw add, p99 ≤ 10 ms',
    met: fastEnough && p99Ok,
    miss: ingressMisses.join('; ') || undefined,
  });
  out.push({
    what: 'Ingress vs bare Fastify (JSON parsed, nothing stored)',
    zaprelay: perSec(i.requestsPerSecond),
    ceiling: `bare Fastify ${perSec(ingress.bare.requestsPerSecond)}, p50 ${ms(ingress.bare.p50Ms)}, p99 ${ms(ingress.bare.p99Ms)}`,
    ratio: ratio(i.requestsPerSecond / ingress.bare.requestsPerSecond),
    target: '(reported)',
  });
  const w = workers.endToEnd.eventsPerSecond / workers.rawNoop.jobsPerSecond;
  out.push({
    what: `Workers: events end to end (${workers.events.toLocaleString('en-US')}, 1 process, concurrency ${workers.concurrency})`,
    zaprelay: perSec(workers.endToEnd.eventsPerSecond),
    ceiling: `raw BullMQ no-op jobs ${perSec(workers.rawNoop.jobsPerSecond)}`,
    ratio: ratio(w),
    target: '≥ 0.80× raw BullMQ',
    met: w >= TARGETS.workersVsRaw,
    miss: w >= TARGETS.workersVsRaw ? undefined : `${ratio(w)}, ${pct(w, TARGETS.workersVsRaw)} short of 0.8×`,
  });
  out.push({
    what: 'Workers vs no-op jobs under the CRM queue limiter used here ({max: 1, duration: 1 ms})',
    zaprelay: perSec(workers.endToEnd.eventsPerSecond),
    ceiling: `raw BullMQ no-op jobs, same limiter ${perSec(workers.rawNoopLimited.jobsPerSecond)}`,
    ratio: ratio(workers.endToEnd.eventsPerSecond / workers.rawNoopLimited.jobsPerSecond),
    target: '(reported)',
  });
  for (const l of limiter) {
    const ok = l.minUtilisation >= TARGETS.limiterUtilisation && l.slidingMaxRatio <= 1 && l.refused === 0;
    const misses = [
      l.minUtilisation >= TARGETS.limiterUtilisation
        ? ''
        : `utilisation ${l.minUtilisation.toFixed(2)}, ${(TARGETS.limiterUtilisation - l.minUtilisation).toFixed(2)} under 0.98`,
      l.slidingMaxRatio <= 1 ? '' : `a sliding window held ${Math.round(l.slidingMaxRatio * l.max)} > ${l.max}`,
      l.refused === 0 ? '' : `${l.refused} requests refused with 429`,
    ].filter(Boolean);
    out.push({
      what: `Limiter: ${l.workers} worker process${l.workers > 1 ? 'es' : ''}, ${l.max} per ${l.windowMs / 1000} s`,
      zaprelay: `per full window ${l.perFullWindow.join(', ')}; sliding max ${Math.round(l.slidingMaxRatio * l.max)}`,
      ceiling: `limit ${l.max}`,
      ratio: `${l.minUtilisation.toFixed(2)} (max ${l.slidingMaxRatio.toFixed(2)})`,
      target: '≥ 0.98, never > 1.00',
      met: ok,
      miss: misses.join('; ') || undefined,
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
  const rss = ingress.rss.peakBytes;
  out.push({
    what: 'Ingress RSS under load (peak)',
    zaprelay: mib(rss),
    ceiling: '',
    ratio: '',
    target: '< 150 MB',
    met: rss < TARGETS.ingressRssBytes,
    miss: rss < TARGETS.ingressRssBytes ? undefined : `${mib(rss - TARGETS.ingressRssBytes)} over`,
  });
  const bpe = ingress.redis.bytesPerEvent;
  out.push({
    what: `Redis per queued text message (${ingress.redis.events.toLocaleString('en-US')} queued)`,
    zaprelay: `${num(bpe)} B`,
    ceiling: '',
    ratio: '',
    target: '< 2 KB',
    met: bpe < TARGETS.redisBytesPerEvent,
    miss: bpe < TARGETS.redisBytesPerEvent ? undefined : `${num(bpe - TARGETS.redisBytesPerEvent)} B over`,
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
