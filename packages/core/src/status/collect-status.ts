import type { Queue } from 'bullmq';
import type { z } from 'zod';
import { CIRCUIT_APIS, circuitKey, readCircuit } from '../circuit.js';
import type { Config } from '../config/env-schema.js';
import { type Alert, alertSchema, type InstanceStatus, instanceStatusSchema, monitorKeys } from '../monitoring.js';
import { logicalQueueOf } from '../queues/layout.js';
import type { RedisClient } from '../redis.js';
import { readRedisDurability } from '../redis-durability.js';
import {
  type ApiHealth,
  apiHealthSchema,
  type DashboardStatus,
  JOB_STATES,
  type QueueStatus,
} from './status-schema.js';
import { addSeries, MINUTE_MS, perMinuteSeries, SERIES_MINUTES } from './throughput.js';

export interface StatusDeps {
  redis: RedisClient;
  queues: Queue[];
  config: Pick<Config, 'QUEUE_PREFIX' | 'SUPER_CRM_RATE_LIMIT_MAX' | 'SUPER_CRM_RATE_LIMIT_DURATION_MS'>;
}

/** How many alerts the status shows; the monitor keeps more. */
export const RECENT_ALERTS = 20;

/** Parses JSON written by another process; a bad entry is counted and left out, never fatal. */
function parseEntry<S extends z.ZodType>(raw: string, schema: S): z.output<S> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function queueStatus(queue: Queue): Promise<QueueStatus> {
  const [counts, paused] = await Promise.all([queue.getJobCounts(...JOB_STATES), queue.isPaused()]);
  return {
    name: queue.name,
    paused,
    counts: Object.fromEntries(JOB_STATES.map((state) => [state, counts[state] ?? 0])) as QueueStatus['counts'],
  };
}

/** Shards of one logical queue as one entry: counts summed, paused when any shard is, each shard listed. */
export function mergeShards(name: string, shards: QueueStatus[]): QueueStatus {
  if (shards.length === 1 && shards[0]?.name === name) return shards[0];
  const counts = Object.fromEntries(
    JOB_STATES.map((state) => [state, shards.reduce((sum, s) => sum + s.counts[state], 0)]),
  ) as QueueStatus['counts'];
  return { name, paused: shards.some((s) => s.paused), counts, shards };
}

/** Per logical queue, in the order they first appear. */
function byLogicalQueue(statuses: QueueStatus[]): QueueStatus[] {
  const groups = new Map<string, QueueStatus[]>();
  for (const status of statuses) {
    const name = logicalQueueOf(status.name) ?? status.name;
    groups.set(name, [...(groups.get(name) ?? []), status]);
  }
  return [...groups].map(([name, shards]) => mergeShards(name, shards));
}

async function queueThroughput(queue: Queue, nowMs: number) {
  const [completed, failed] = await Promise.all([
    queue.getMetrics('completed', 0, SERIES_MINUTES - 1),
    queue.getMetrics('failed', 0, SERIES_MINUTES - 1),
  ]);
  return { processed: perMinuteSeries(completed, nowMs), failed: perMinuteSeries(failed, nowMs) };
}

/**
 * Everything the status page shows, read from Redis only: the monitor's keys
 * (written by the workers) and the queues themselves. Keep it a function of
 * its arguments so the ingress can serve the same JSON as GET /api/status.
 */
export async function collectStatus(deps: StatusDeps, nowMs = Date.now()): Promise<DashboardStatus> {
  const keys = monitorKeys(deps.config.QUEUE_PREFIX);
  const windowMs = deps.config.SUPER_CRM_RATE_LIMIT_DURATION_MS;
  const [rawInstances, rawApis, rawAlerts, crmUsed, queues, throughputs, circuits, redis, lidWaiting] =
    await Promise.all([
      deps.redis.hgetall(keys.instances),
      deps.redis.hgetall(keys.apis),
      deps.redis.lrange(keys.alerts, 0, RECENT_ALERTS - 1),
      deps.redis.zcount(keys.crmRequests, nowMs - windowMs, '+inf'),
      Promise.all(deps.queues.map(queueStatus)),
      Promise.all(deps.queues.map((q) => queueThroughput(q, nowMs))),
      Promise.all(
        CIRCUIT_APIS.map(
          async (api) => [api, await deps.redis.hgetall(circuitKey(deps.config.QUEUE_PREFIX, api))] as const,
        ),
      ),
      readRedisDurability(deps.redis).catch(() => undefined),
      deps.redis.hlen(keys.lidWaiting),
    ]);

  let skippedEntries = 0;
  const keep = <T>(value: T | undefined): T[] => {
    if (value === undefined) skippedEntries++;
    return value === undefined ? [] : [value];
  };
  const instances: InstanceStatus[] = Object.values(rawInstances)
    .flatMap((raw) => keep(parseEntry(raw, instanceStatusSchema)))
    .sort((a, b) => a.instance.localeCompare(b.instance));
  const circuitOf = new Map(circuits.map(([api, hash]) => [api as string, readCircuit(hash)]));
  const apis: ApiHealth[] = Object.entries(rawApis)
    .flatMap(([name, raw]) => keep(parseEntry(raw, apiHealthSchema)).map((health) => ({ ...health, name })))
    // A breaker that tripped before any health was recorded still shows.
    .concat(
      circuits
        .filter(([api, hash]) => !(api in rawApis) && Object.keys(hash).length > 0)
        .map(([name]) => ({ name, status: 'unknown' as const })),
    )
    .map((api) => {
      const circuit = circuitOf.get(api.name) ?? { state: 'closed' as const };
      return { ...api, circuit: circuit.state, circuitSince: circuit.since };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const alerts: Alert[] = rawAlerts.flatMap((raw) => keep(parseEntry(raw, alertSchema)));

  const empty = new Array<number>(SERIES_MINUTES).fill(0);
  return {
    generatedAt: new Date(nowMs).toISOString(),
    instances,
    apis,
    queues: byLogicalQueue(queues),
    crm: { windowMs, limit: deps.config.SUPER_CRM_RATE_LIMIT_MAX, used: crmUsed },
    alerts,
    throughput: {
      startMs: (Math.floor(nowMs / MINUTE_MS) - (SERIES_MINUTES - 1)) * MINUTE_MS,
      minuteMs: MINUTE_MS,
      processed: throughputs.reduce((sum, t) => addSeries(sum, t.processed), empty),
      failed: throughputs.reduce((sum, t) => addSeries(sum, t.failed), empty),
    },
    redis,
    skippedEntries,
    lidWaiting,
  };
}
