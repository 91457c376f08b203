import { z } from 'zod';

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
          return [name, token];
        }),
      ),
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
    .regex(/^[\w.-]+$/, { error: 'may hold letters, digits, _ . - only' })
    .default('zaprelay'),

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
  WEBHOOK_DEDUPE_TTL_SECONDS: int(60).default(24 * 60 * 60),
  /** Inline media (base64) longer than this is left out of the job and replaced by its size. */
  WEBHOOK_MAX_INLINE_BYTES: int(0).default(2048),
  EVOLUTION_WEBHOOK_TOKEN: z.string().min(1).optional(),
  EVOLUTION_WEBHOOK_JWT_KEY: z.string().min(1).optional(),
  WUZAPI_HMAC_KEY: z.string().min(1).optional(),
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
});

export type Config = z.output<typeof envSchema>;
