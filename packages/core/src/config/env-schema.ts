import { z } from 'zod';
import { ALL_QUEUES, type QueueName } from '../queues/names.js';

/**
 * The one schema for every environment variable zaprelay reads. Each process
 * takes the part it needs; defaults follow the seed's documentation.
 */

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const port = int(1, 65535);

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const redisUrl = z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' });

/** `host:port,host:port` → [{ host, port }], e.g. the Sentinels of one master. */
const hostPortList = z
  .string()
  .refine((v) => v.split(',').every((pair) => /^[^:,\s]+:\d{1,5}$/.test(pair.trim())), {
    error: 'must be a comma-separated list of host:port',
  })
  .transform((v) =>
    v.split(',').map((pair) => {
      const [host, port] = pair.trim().split(':') as [string, string];
      return { host, port: Number(port) };
    }),
  );

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** `name:token,name2:token2` → Map; WUZAPI needs the user token of an instance to send. */
const tokenMap = z
  .string()
  .refine((v) => v.split(',').every((pair) => /^[^:,]+:[^:,]+$/.test(pair.trim())), {
    error: 'must be a comma-separated list of instanceName:token',
  })
  .transform(
    (v) =>
      new Map(
        v.split(',').map((pair) => {
          const [name, token] = pair.trim().split(':') as [string, string];
          // Instance names match case-insensitively: keyed by their lower-case form.
          return [name.trim().toLowerCase(), token];
        }),
      ),
  );

/** `host:port,host:port` → [{ host, port }]. */
const clusterNodes = z
  .string()
  .refine((v) => v.split(',').every((node) => /^[^:,\s]+:\d{1,5}$/.test(node.trim())), {
    error: 'must be a comma-separated list of host:port',
  })
  .transform((v) =>
    v.split(',').map((node) => {
      const [host, port] = node.trim().split(':') as [string, string];
      return { host, port: Number(port) };
    }),
  );

/** `events,crm` → the queue names; an unknown one is named in the error. */
const workerQueues = list.pipe(
  z
    .array(z.string())
    .min(1, { error: 'must name at least one queue' })
    .superRefine((names, ctx) => {
      for (const name of names) {
        if (!(ALL_QUEUES as string[]).includes(name))
          ctx.addIssue({ code: 'custom', message: `unknown queue "${name}" (known: ${ALL_QUEUES.join(', ')})` });
      }
    })
    .transform((names) => [...new Set(names)] as QueueName[]),
);

export const envSchema = z.object({
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),

  // Redis and queues
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[\w.-]*(\{[\w.-]+\})?[\w.-]*$/, {
      error: 'may hold letters, digits, _ . - and one {hash tag} only',
    })
    .min(1, { error: 'must not be empty' })
    .default('zaprelay'),
  /** Sentinel mode (takes precedence over REDIS_URL's host): every process asks these where the master is. */
  REDIS_SENTINELS: hostPortList.optional(),
  REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /** Replicas that must acknowledge a write (Redis WAIT) before the ingress answers 2xx; 0 = the master alone. */
  REDIS_WAIT_REPLICAS: int(0, 100).default(0),
  /** Bounded by the ingress's fail-fast Redis command timeout (2 s): past it the answer is 503 anyway. */
  REDIS_WAIT_TIMEOUT_MS: int(1, 1500).default(500),
  /** Redis Cluster seed nodes (`host:port,...`); when set it wins over REDIS_URL. */
  REDIS_CLUSTER_NODES: clusterNodes.optional(),
  /** The events queue split into this many queues (each its own hash tag); an instance always maps to one. */
  QUEUE_SHARDS: int(1, 64).default(1),
  /** The queues this worker process serves (roles); default every queue. */
  WORKER_QUEUES: workerQueues.default([...ALL_QUEUES]),

  // Processes
  HOST: z.string().default('0.0.0.0'),
  PORT: port.default(3000),
  DASHBOARD_PORT: port.default(3001),
  WORKER_METRICS_PORT: port.default(9464),
  WORKER_CONCURRENCY: int(1, 1000).default(10),
  /** Longer than the slowest client timeout (15 s), so SIGTERM lets a send in flight finish and exits 0. */
  WORKER_SHUTDOWN_TIMEOUT_MS: int(0).default(20_000),
  /** How long a job's lock lives without renewal; a SIGKILLed worker's jobs are recovered after it. */
  WORKER_LOCK_DURATION_MS: int(1000).default(30_000),
  WORKER_STALLED_INTERVAL_MS: int(1000).default(30_000),
  WORKER_MAX_STALLED_COUNT: int(0, 100).default(3),

  // Our own API and dashboard
  API_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  DASHBOARD_USER: z.string().min(1).optional(),
  DASHBOARD_PASSWORD: z.string().min(8, { error: 'must be at least 8 characters' }).optional(),
  DASHBOARD_READ_ONLY: bool.default(false),
  /** How long a dashboard login (session cookie) lasts; basic auth needs no session. */
  DASHBOARD_SESSION_TTL_SECONDS: int(60, 30 * 24 * 60 * 60).default(12 * 60 * 60),
  /** Wrong logins (form or basic auth) one address may try per lockout window before it gets 429. */
  DASHBOARD_LOGIN_MAX_FAILURES: int(1, 1_000_000).default(10),
  DASHBOARD_LOGIN_LOCKOUT_SECONDS: int(1, 24 * 60 * 60).default(15 * 60),

  // Webhook ingress
  WEBHOOK_BASE_URL: httpUrl.optional(),
  WEBHOOK_AUTH: z.enum(['required', 'none'], { error: 'must be required or none' }).default('required'),
  WEBHOOK_BODY_LIMIT_BYTES: int(1024).default(32 * 1024 * 1024),
  /** Items one webhook may carry in its `data` array (a 5,000-contact address book replay fits); more: 413. */
  WEBHOOK_MAX_ITEMS: int(1).default(10_000),
  WEBHOOK_DEDUPE_TTL_SECONDS: int(60).default(24 * 60 * 60),
  /** Inline media (base64) longer than this is left out of the job and replaced by its size. */
  WEBHOOK_MAX_INLINE_BYTES: int(0).default(2048),
  EVOLUTION_WEBHOOK_TOKEN: z.string().min(1).optional(),
  EVOLUTION_WEBHOOK_JWT_KEY: z.string().min(1).optional(),
  WUZAPI_HMAC_KEY: z.string().min(1).optional(),
  /** `instance:key,…`: WUZAPI signs with one HMAC key per user; an instance listed here verifies with its own. */
  WUZAPI_HMAC_KEYS: tokenMap.optional(),
  WUZAPI_WEBHOOK_TOKEN: z.string().min(1).optional(),

  // Evolution API (the seed's variables and defaults)
  EVOLUTION_API_URL: httpUrl.optional(),
  EVOLUTION_API_KEY: z.string().min(1).optional(),
  EVOLUTION_INSTANCES: list.optional(),
  EVOLUTION_TIMEOUT_MS: int(100).default(15_000),
  EVOLUTION_RETRY_MAX_ATTEMPTS: int(1, 100).default(3),
  EVOLUTION_RETRY_DELAY_MS: int(0).default(1000),
  EVOLUTION_RETRY_BACKOFF_FACTOR: z.coerce
    .number({ error: 'must be a number' })
    .min(1, { error: 'must be at least 1' })
    .max(10, { error: 'must be at most 10' })
    .default(2),
  EVOLUTION_RETRY_MAX_DELAY_MS: int(0).default(30_000),
  EVOLUTION_RATE_LIMIT_MAX: int(1).optional(),
  EVOLUTION_RATE_LIMIT_DURATION_MS: int(1).default(1000),
  EVOLUTION_MONITORING_ENABLED: bool.default(true),
  EVOLUTION_MONITORING_INTERVAL_MS: int(1000).default(5000),
  EVOLUTION_MONITORING_MAX_HISTORY: int(1, 1_000_000).default(1000),
  /** How often the monitor reads back a webhook set up through /api/setup/* and re-applies it when the gateway lost it. */
  WEBHOOK_SETUP_CHECK_INTERVAL_MS: int(1000).default(60_000),

  // WUZAPI (sending side)
  WUZAPI_API_URL: httpUrl.optional(),
  WUZAPI_USER_TOKENS: tokenMap.optional(),
  WUZAPI_TIMEOUT_MS: int(100).default(15_000),

  // SuperCRM
  SUPER_CRM_BASE_URL: httpUrl.default('https://api.supercrm.com/v1'),
  SUPER_CRM_API_KEY: z.string().min(1).optional(),
  SUPER_CRM_WEBHOOK_SECRET: z.string().min(1).optional(),
  SUPER_CRM_TIMEOUT_MS: int(100).default(10_000),
  SUPER_CRM_RATE_LIMIT_MAX: int(1).default(100),
  SUPER_CRM_RATE_LIMIT_DURATION_MS: int(1).default(60_000),
  /**
   * Time kept free in every CRM window for the delay between a request taking its slot and reaching the CRM
   * (event loop, network, a busy host); the slack is this or 1 % of the window, whichever is larger.
   */
  SUPER_CRM_SEND_SLACK_MS: int(0, 60_000).default(200),
  /** 30 attempts capped at 15 min ≈ 5 h of CRM outage before a job fails (the CRM keeps idempotency keys 24 h). */
  SUPER_CRM_RETRY_MAX_ATTEMPTS: int(1, 100).default(30),
  SUPER_CRM_RETRY_DELAY_MS: int(0).default(1000),
  SUPER_CRM_RETRY_BACKOFF_FACTOR: z.coerce
    .number({ error: 'must be a number' })
    .min(1, { error: 'must be at least 1' })
    .max(10, { error: 'must be at most 10' })
    .default(2),
  SUPER_CRM_RETRY_MAX_DELAY_MS: int(0).default(900_000),
  CRM_SYNC_GROUPS: bool.default(false),
  CRM_CONTACT_CACHE_TTL_SECONDS: int(60).default(7 * 24 * 60 * 60),
  /** Longest a message waits for an earlier message of its chat that is still retrying, before it goes on without it. */
  CRM_CHAT_ORDER_MAX_WAIT_MS: int(0).default(15 * 60 * 1000),
  /** How long a CRM send without `instance` keeps going through the instance that last talked with the phone. */
  LAST_INSTANCE_TTL_SECONDS: int(60).default(90 * 24 * 60 * 60),

  // Job retention
  FAILED_JOB_RETENTION_DAYS: int(1, 3650).default(7),
  COMPLETED_JOB_RETENTION_SECONDS: int(0).default(60 * 60),

  // Monitoring and alerts
  ALERT_WEBHOOK_URL: httpUrl.optional(),
  ALERT_QUIET_PERIOD_MS: int(0).default(15 * 60 * 1000),
  HEALTH_ERROR_RATE_THRESHOLD: z.coerce
    .number({ error: 'must be a number' })
    .min(0, { error: 'must be between 0 and 1' })
    .max(1, { error: 'must be between 0 and 1' })
    .default(0.2),
  CONTACT_SYNC_CRON: z.string().min(1).optional(),

  // Reconciliation: re-reading the gateways' stores for messages whose webhook never arrived
  /** How often every configured instance is re-read; 0 turns the schedule off (POST /api/backfill still works). */
  RECONCILE_INTERVAL_MS: int(0).default(30 * 60 * 1000),
  /** How far back each scheduled run reads; keep it within WEBHOOK_DEDUPE_TTL_SECONDS. */
  RECONCILE_WINDOW_MS: int(60_000).default(6 * 60 * 60 * 1000),

  // Operations (issue 12): tracing, alerts, proxies
  /** presence.update / Presence / ChatPresence are answered `ignored` unless this is true. */
  WEBHOOK_QUEUE_PRESENCE: bool.default(false),
  /** json (default): the alert object; slack: `{"text": …}` for a Slack (or compatible) incoming webhook. */
  ALERT_FORMAT: z.enum(['json', 'slack'], { error: 'must be json or slack' }).default('json'),
  /** Jobs entering a failed set within ALERT_FAILED_JOBS_WINDOW_MS that raise an alert. */
  ALERT_FAILED_JOBS_THRESHOLD: int(1).default(10),
  ALERT_FAILED_JOBS_WINDOW_MS: int(1000).default(5 * 60 * 1000),
  /** A waiting job older than this raises an alert (a queue nobody processes, or a CRM far behind). */
  ALERT_OLDEST_WAITING_MS: int(1000).default(10 * 60 * 1000),
  /** How often a worker checks the queues and refused webhooks for alerts. */
  ALERT_CHECK_INTERVAL_MS: int(1000).default(15_000),
  /** Fastify's trustProxy: false, true, a hop count, or comma-separated addresses/CIDRs of your proxies. */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2}|[\w.:/, -]+)$/, { error: 'must be true, false, a hop count or addresses' })
    .transform((v): boolean | number | string =>
      v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v,
    )
    .default(false),
  /** The session cookie is Secure unless the dashboard is explicitly served over plain HTTP. */
  DASHBOARD_PLAIN_HTTP: bool.default(false),
  /** Signs session cookies; unset: generated once and kept in Redis (every replica shares it). */
  DASHBOARD_SESSION_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  /** Serve the dashboard and Bull Board under this path (e.g. /zaprelay) behind a reverse proxy. */
  DASHBOARD_BASE_PATH: z
    .string()
    .regex(/^(\/[\w.-]+)*\/?$/, { error: 'must be a path such as /zaprelay' })
    .transform((v) => v.replace(/\/$/, ''))
    .default(''),
  /** When set, /metrics on every process needs `Authorization: Bearer $METRICS_TOKEN`. */
  METRICS_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  /** When set, the ingress serves /metrics on this port only, not on PORT. */
  INGRESS_METRICS_PORT: port.optional(),

  // Circuit breakers (SuperCRM, Evolution sends, WUZAPI sends), shared by every worker through Redis
  /** Transient failures in a row (5xx, 408, timeouts, connection errors) that open an API's breaker. */
  CIRCUIT_FAILURE_THRESHOLD: int(1, 1000).default(5),
  /** How long an open breaker lets no request through before one probe tests the API. */
  CIRCUIT_OPEN_MS: int(100).default(30_000),
});

export type Config = z.output<typeof envSchema>;

/**
 * Problems no single variable shows: one line each, named like the schema's
 * (`NAME: what is wrong`), for loadConfig to refuse the start with.
 */
export function crossVariableProblems(config: Config): string[] {
  const problems: string[] = [];
  // WAIT counts the replicas of the one master a connection talks to; a cluster spreads one webhook's writes
  // (its queue's slot, its dedupe marker's) over several masters, so a 2xx after WAIT would promise what it cannot keep.
  if (config.REDIS_WAIT_REPLICAS > 0 && config.REDIS_CLUSTER_NODES?.length) {
    problems.push(
      'REDIS_WAIT_REPLICAS: is not supported with REDIS_CLUSTER_NODES (WAIT covers one master, a cluster writes to several): set REDIS_WAIT_REPLICAS=0, or use REDIS_SENTINELS',
    );
  }
  return problems;
}
