import type { Machine } from '../infra/machine.js';
import type { BenchSettings } from '../phases/context.js';
import { INGRESS_ROUNDS, type RedisPerEvent } from '../phases/ingress-phase.js';
import { WORKERS_ROUNDS } from '../phases/workers-phase.js';
import { renderDeployment } from './deployment-md.js';
import { type BenchResults, markdownTable, type Row } from './targets.js';

/** Everything from this heading on is written by hand and kept when `pnpm bench` rewrites the file. */
export const ANALYSIS_HEADING = '## Why the misses, and where the time goes';

const kb = (bytes: number) => `${Math.round(bytes)} B`;
const breakdown = (redis: RedisPerEvent) =>
  redis.breakdown.map((b) => `${b.kind} ${kb(b.bytesPerEvent)} (${b.keys} keys)`).join(', ');
const us = (micros: number) => `${Math.round(micros)} µs`;

export function renderBenchmarks(opts: {
  machine: Machine;
  settings: BenchSettings;
  results: BenchResults;
  table: Row[];
  seconds: number;
  loadAverageAtEnd: number;
  keptAnalysis: string | undefined;
}): string {
  const { machine: m, settings: s, results: r, table } = opts;
  const misses = table.filter((row) => row.met === false);
  const redis = r.ingress.redis;
  const limiter = r.limiter
    .map(
      (l) =>
        `  - ${l.max} per ${l.windowMs / 1000} s, ${l.workers} worker process${l.workers > 1 ? 'es' : ''}: ${l.requests} requests; per full ${l.windowMs / 1000} s window ` +
        `${l.perFullWindow.join(', ')} (utilisation min ${l.minUtilisation.toFixed(3)}, mean ${l.meanUtilisation.toFixed(3)}); ` +
        `most in any sliding window ${Math.round(l.slidingMaxRatio * l.max)} of ${l.max}; ${l.refused} refused (429).`,
    )
    .join('\n');
  return `# Benchmarks

Written by \`pnpm bench\` (bench/src/run.ts); every ratio below compares figures measured side by side in one run, on
one machine, against one private \`redis-server\` (no persistence). The section "${ANALYSIS_HEADING.slice(3)}" at the
end is written by hand and kept when the bench rewrites this file.

## Machine

| | |
| --- | --- |
| CPU | ${m.cpu} |
| cores | ${m.cores} |
| RAM | ${m.ramGiB} GiB |
| OS | ${m.platform} |
| Node | ${m.node} |
| Redis | ${m.redis} |
| date | ${m.date} |
| load average (1 min) at start / end | ${m.loadAverage} / ${opts.loadAverageAtEnd} |
| bench wall time | ${Math.round(opts.seconds)} s |

## Results

${markdownTable(table)}

${misses.length === 0 ? 'Every target met.' : `Missed:\n\n${misses.map((row) => `- **${row.what}**: ${row.miss}.`).join('\n')}`}

## How each figure was taken

- **Ingress**: \`apps/ingress/src/main.ts\` in its own process (\`LOG_LEVEL=warn\`, token auth as Evolution sends it,
  no workers), autocannon in another process: ${s.connections} connections, ${s.warmupSeconds} s warm-up, then
  ${s.durationSeconds} s measured, each request a realistic Evolution \`messages.upsert\` text webhook
  (${r.ingress.ingress.bodyBytes} B) with its own message id, so deduplication never short-circuits. Every
  request of the run got a 2xx and every one is in the queue. The same load against the **naive ingress**
  (\`bench/src/processes/naive-ingress.ts\`: one Fastify route that parses the JSON and does one \`Queue.add\` with a
  jobId, same queue options, same Redis; no auth, validation, dedupe, trace, metrics or logging), **bare Fastify**
  (same route, JSON parsed, nothing stored), and **raw Queue.add**: a process doing nothing but \`Queue.add\` of the
  same job with the same options, ${s.connections} in flight, same warm-up and duration. The naive and the real
  ingress run side by side and are loaded in turns: after each one's warm-up, ${INGRESS_ROUNDS} stretches of
  ${s.durationSeconds / INGRESS_ROUNDS} s each, the order flipping every round, added up (rate over their total time; p50 and p99
  the request-weighted means of the stretches'). A busy moment of this shared machine then falls on both: measured
  one after the other, the same code read 0.65× to 0.88× in one morning.
- **CPU per webhook** in the measured run (\`/proc/<pid>/stat\`, \`INFO cpu\`; the load generator not counted):
  ingress ${us(r.ingress.ingress.cpuUsPerOp)} + Redis ${us(r.ingress.ingress.redisCpuUsPerOp)}; naive ingress
  ${us(r.ingress.naive.cpuUsPerOp)} + Redis ${us(r.ingress.naive.redisCpuUsPerOp)}; bare Fastify
  ${us(r.ingress.bare.cpuUsPerOp)}; raw Queue.add ${us(r.ingress.rawAdd.cpuUsPerOp)} + Redis
  ${us(r.ingress.rawAdd.redisCpuUsPerOp)} per add. **Redis socket reads per webhook** (\`INFO stats\`
  \`total_reads_processed\`; fewer when commands arrive together): ingress
  ${r.ingress.ingress.redisReadsPerOp.toFixed(2)}, naive ingress ${r.ingress.naive.redisReadsPerOp.toFixed(2)}.
- **Workers**: the real ingress stores ${r.workers.events} webhooks (after ${300} warm-up events) into the
  paused events queue and is stopped; the queue is resumed and one worker process (\`apps/worker/src/main.ts\`,
  concurrency ${r.workers.concurrency}) turns each into a CRM job and each CRM job into one request to the SuperCRM
  double (contact known, so one request per event). Clock: resume → the last activity the double created. The CRM
  limit is set to ${r.workers.crmLimit.max.toLocaleString('en-US')} per ${r.workers.crmLimit.durationMs} ms (a plan
  this machine cannot fill); the double itself never limits. **Events stage**: the same number of stored webhooks in
  a paused events queue, one worker process with \`WORKER_QUEUES=events\` (concurrency ${r.workers.concurrency});
  clock: resume → every event is a CRM job. **Raw BullMQ**: a bare \`Worker\` with the same concurrency and a no-op
  processor drains the same number of jobs (same payload) from a paused-then-resumed queue. The two are drained in
  turns, ${WORKERS_ROUNDS} rounds each (the order flipping every round), and added up: the stage took
  ${r.workers.eventsStage.seconds.toFixed(2)} s for its ${WORKERS_ROUNDS} drains, the no-op worker
  ${r.workers.rawNoop.seconds.toFixed(2)} s.
- **CRM limit**: for each limit, a backlog of about 1.6 windows of stored events over ${100} chats (known contacts),
  worked off by 1 and by 4 worker processes (concurrency ${s.workerConcurrency} each) against the SuperCRM double
  enforcing the same sliding window (${s.limiters.map((l) => `${l.max} per ${l.windowMs / 1000} s, ${l.backlog} events`).join('; ')}).
  From the double's request log: requests in each full window laid end to end from the first request (utilisation =
  count / limit), the most in any sliding window, and 429s.
${limiter}
${
  r.latency
    ? `- **Webhook → CRM activity**: the real ingress and one worker process with the production limit (${r.latency.max}
  per ${r.latency.windowMs / 1000} s), ${r.latency.samples} webhooks for a known contact posted one at a time, one every
  ${r.latency.spacingMs} ms (below the limit: capacity to spare), after one uncounted warm-up; latency from just before
  the POST to the double creating the activity: p50 ${r.latency.p50Ms} ms, p99 ${r.latency.p99Ms} ms, max ${r.latency.maxMs} ms.\n`
    : ''
}- **Ingress RSS**: \`VmRSS\` from \`/proc/<pid>/status\` every 200 ms during warm-up and run: peak
  ${(r.ingress.rss.peakBytes / 2 ** 20).toFixed(1)} MB, at the end ${(r.ingress.rss.lastBytes / 2 ** 20).toFixed(1)} MB
  (${r.ingress.rss.samples} samples).
- **Redis per queued event**: the bench's Redis runs with the memory settings both compose files give it
  (\`REDIS_MEMORY_SETTINGS\` in core: \`hash-max-listpack-value 1024\`). \`INFO memory\` \`used_memory\` before the
  ingress run and after it (no workers), divided by the ${redis.events} events queued: ${kb(redis.usedMemoryDelta)} /
  ${redis.events} = ${kb(redis.bytesPerEvent)}. \`MEMORY USAGE\` of the keys, per event:
  ${breakdown(redis)}. The event stream
  is capped by BullMQ at about 10 000 entries, so its share shrinks as the queue grows. The same load for
  ${s.warmupSeconds} s on that Redis set back to its default (\`hash-max-listpack-value 64\`):
  ${kb(r.ingress.redisDefaults.usedMemoryDelta)} / ${r.ingress.redisDefaults.events} =
  ${kb(r.ingress.redisDefaults.bytesPerEvent)}; per event: ${breakdown(r.ingress.redisDefaults)}.
${
  r.cluster
    ? `- **Redis Cluster**: ${r.cluster.events} stored events of ${r.cluster.instances} instances wait in ${r.cluster.shards} paused events
  shards (\`QUEUE_SHARDS=${r.cluster.shards}\`); ${r.cluster.workers} worker processes with \`WORKER_QUEUES=events\`
  (concurrency ${r.cluster.concurrency}) drain them once resumed (clock: resume → all done). Once against this run's
  one Redis (${r.cluster.single.eventsPerSecond.toFixed(0)}/s), once against a local 3-master cluster started from
  the same binary (${r.cluster.cluster.eventsPerSecond.toFixed(0)}/s, keys on ${r.cluster.cluster.masters} masters),
  all on the same cores.\n`
    : ''
}
${renderDeployment(r.deployment)}${opts.keptAnalysis ?? `${ANALYSIS_HEADING}\n\n(not written yet)\n`}`;
}
