import { z } from 'zod';
import { circuitStateSchema } from '../circuit.js';
import { alertSchema, healthStatusSchema, instanceStatusSchema } from '../monitoring.js';
import { redisDurabilitySchema } from '../redis-durability.js';

/** What the monitor writes per external API; it may add fields, we show the ones we know. */
export const apiHealthSchema = z.object({
  status: healthStatusSchema,
  checkedAt: z.string().optional(),
  errorRate: z.number().min(0).max(1).optional(),
  responseTimeMs: z.number().nonnegative().optional(),
  reasons: z.array(z.string()).optional(),
  error: z.string().optional(),
});

export const JOB_STATES = [
  'waiting',
  'prioritized',
  'delayed',
  'active',
  'waiting-children',
  'failed',
  'completed',
] as const;

const jobCountsSchema = z.object(
  Object.fromEntries(JOB_STATES.map((s) => [s, z.number().int()])) as {
    [K in (typeof JOB_STATES)[number]]: z.ZodNumber;
  },
);

/**
 * The JSON of GET /api/status.json (dashboard) and, later, GET /api/status
 * (ingress). Series are per minute, oldest first, the last entry being the
 * current (unfinished) minute.
 */
export const dashboardStatusSchema = z.object({
  generatedAt: z.iso.datetime(),
  instances: z.array(instanceStatusSchema),
  apis: z.array(
    apiHealthSchema.extend({
      name: z.string(),
      /** The API's circuit breaker (closed when it never tripped) and when it entered that state. */
      circuit: circuitStateSchema.default('closed'),
      circuitSince: z.iso.datetime().optional(),
    }),
  ),
  /** One entry per logical queue; a sharded queue (events with QUEUE_SHARDS > 1) sums its shards and lists them. */
  queues: z.array(
    z.object({
      name: z.string(),
      paused: z.boolean(),
      counts: jobCountsSchema,
      shards: z.array(z.object({ name: z.string(), paused: z.boolean(), counts: jobCountsSchema })).optional(),
    }),
  ),
  crm: z.object({
    windowMs: z.number().int(),
    limit: z.number().int(),
    used: z.number().int(),
  }),
  alerts: z.array(alertSchema),
  throughput: z.object({
    /** Start of the first minute of the series (ms since epoch). */
    startMs: z.number().int(),
    minuteMs: z.literal(60_000),
    processed: z.array(z.number().int()),
    failed: z.array(z.number().int()),
  }),
  /** The Redis the jobs live in: a `refused` one makes every process unready. */
  redis: redisDurabilitySchema.optional(),
  /** Entries in the monitor keys that did not parse and were left out (the writer has a bug). */
  skippedEntries: z.number().int(),
  /** Messages from @lid chats waiting until an event tells their phone. */
  lidWaiting: z.number().int().optional(),
});
export type DashboardStatus = z.infer<typeof dashboardStatusSchema>;
export type ApiHealth = DashboardStatus['apis'][number];
export type QueueStatus = DashboardStatus['queues'][number];
