import { type Config, logicalQueueOf, monitorKeys, type RedisClient } from '@zaprelay/core';
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

export interface WorkerMetricsDeps {
  registry: Registry;
  config: Config;
  redis: RedisClient;
  /** Every queue of the system, for depth by state (read at scrape time). */
  queues: Queue[];
}

/**
 * The operation metrics of the seed's monitor, as Prometheus series: per
 * operation totals, success and failure (success rate = ratio), time to
 * success, attempts, queue depth, and the CRM window against its limit.
 */
export function createWorkerMetrics({ registry, config, redis, queues }: WorkerMetricsDeps) {
  const registers = [registry];
  const operations = new Counter({
    name: 'zaprelay_operations_total',
    help: 'External API operations by operation and outcome (success|failure)',
    labelNames: ['api', 'operation', 'outcome'] as const,
    registers,
  });
  const operationSeconds = new Histogram({
    name: 'zaprelay_operation_duration_seconds',
    help: 'External API call duration by operation and outcome',
    labelNames: ['api', 'operation', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const jobs = new Counter({
    name: 'zaprelay_jobs_total',
    help: 'Jobs finished by queue, job name and outcome (completed|failed|retrying)',
    labelNames: ['queue', 'name', 'outcome'] as const,
    registers,
  });
  const timeToSuccess = new Histogram({
    name: 'zaprelay_job_time_to_success_seconds',
    help: 'From enqueue to completion, retries and rate-limit waits included',
    labelNames: ['queue', 'name'] as const,
    buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers,
  });
  const attempts = new Histogram({
    name: 'zaprelay_job_attempts',
    help: 'Attempts a job took to complete or fail for good',
    labelNames: ['queue', 'name', 'outcome'] as const,
    buckets: [1, 2, 3, 5, 8, 13, 21],
    registers,
  });
  const messages = new Counter({
    name: 'zaprelay_messages_synced_total',
    help: 'WhatsApp messages that landed in the CRM as activities, by direction (rate() = messages per second)',
    labelNames: ['direction'] as const,
    registers,
  });
  const skipped = new Counter({
    name: 'zaprelay_events_skipped_total',
    help: 'Gateway events deliberately not synced (groups, broadcasts, unsupported), by source and reason',
    labelNames: ['source', 'reason'] as const,
    registers,
  });
  const healthChanges = new Counter({
    name: 'zaprelay_health_status_changes_total',
    help: 'healthStatusChanged events by subject and new status',
    labelNames: ['subject', 'to'] as const,
    registers,
  });
  const countsByQueue = () =>
    Promise.all(
      queues.map(async (queue) => ({
        shard: queue.name,
        logical: logicalQueueOf(queue.name) ?? queue.name,
        counts: await queue.getJobCounts(...JOB_STATES),
      })),
    );
  new Gauge({
    name: 'zaprelay_queue_jobs',
    help: 'Jobs per logical queue (events shards summed) and state',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const { logical, counts } of await countsByQueue()) {
        for (const state of JOB_STATES) this.inc({ queue: logical, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'zaprelay_queue_shard_jobs',
    help: 'Jobs per BullMQ queue (each events shard apart) and state',
    labelNames: ['queue', 'shard', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const { shard, logical, counts } of await countsByQueue()) {
        for (const state of JOB_STATES) this.set({ queue: logical, shard, state }, counts[state] ?? 0);
      }
    },
  });
  const crmKey = monitorKeys(config.QUEUE_PREFIX).crmRequests;
  new Gauge({
    name: 'zaprelay_crm_requests_in_window',
    help: 'CRM requests sent in the current rate-limit window (all workers)',
    registers,
    async collect() {
      const since = Date.now() - config.SUPER_CRM_RATE_LIMIT_DURATION_MS;
      this.set(await redis.zcount(crmKey, since, '+inf'));
    },
  });
  new Gauge({
    name: 'zaprelay_crm_rate_limit_max',
    help: 'CRM requests allowed per window (SUPER_CRM_RATE_LIMIT_MAX)',
    registers,
    collect() {
      this.set(config.SUPER_CRM_RATE_LIMIT_MAX);
    },
  });
  new Gauge({
    name: 'zaprelay_operation_success_ratio',
    help: 'Share of successful operations since the process started',
    labelNames: ['api', 'operation'] as const,
    registers,
    async collect() {
      this.reset();
      const totals = new Map<string, { api: string; operation: string; ok: number; all: number }>();
      for (const v of (await operations.get()).values) {
        const { api, operation, outcome } = v.labels as Record<string, string>;
        const key = `${api}/${operation}`;
        const t = totals.get(key) ?? { api: api ?? '', operation: operation ?? '', ok: 0, all: 0 };
        t.all += v.value;
        if (outcome === 'success') t.ok += v.value;
        totals.set(key, t);
      }
      for (const t of totals.values()) this.set({ api: t.api, operation: t.operation }, t.all ? t.ok / t.all : 1);
    },
  });
  return { operations, operationSeconds, jobs, timeToSuccess, attempts, messages, skipped, healthChanges };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
