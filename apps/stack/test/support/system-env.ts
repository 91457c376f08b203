/** Shared secrets of a test stack: the ingress checks them, the test's webhooks carry them. */
export const STACK_SECRETS = {
  EVOLUTION_WEBHOOK_TOKEN: 'stack-evolution-webhook-token',
  WUZAPI_WEBHOOK_TOKEN: 'stack-wuzapi-webhook-token',
  EVOLUTION_API_KEY: 'stack-evolution-api-key',
  API_TOKEN: 'stack-api-token-0123456789',
} as const;

export interface SystemEnvInput {
  redisUrl: string;
  queuePrefix: string;
  crmBaseUrl: string;
  crmApiKey: string;
  evolutionUrl: string;
  ingressPort: number;
  /** Anything a scenario needs different (fast stalled recovery, retry policy…). */
  overrides?: Record<string, string>;
}

/**
 * Everything the ingress and worker processes read, spelled out: no variable
 * leaks in from the developer's shell (startAppProcess passes only PATH/HOME).
 */
export function systemEnv(input: SystemEnvInput): Record<string, string> {
  return {
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    REDIS_URL: input.redisUrl,
    QUEUE_PREFIX: input.queuePrefix,
    PORT: String(input.ingressPort),
    WEBHOOK_AUTH: 'required',
    EVOLUTION_WEBHOOK_TOKEN: STACK_SECRETS.EVOLUTION_WEBHOOK_TOKEN,
    WUZAPI_WEBHOOK_TOKEN: STACK_SECRETS.WUZAPI_WEBHOOK_TOKEN,
    API_TOKEN: STACK_SECRETS.API_TOKEN,
    SUPER_CRM_BASE_URL: input.crmBaseUrl,
    SUPER_CRM_API_KEY: input.crmApiKey,
    SUPER_CRM_TIMEOUT_MS: '5000',
    // The double allows far more than this; the limiter still spaces jobs, just by a few ms.
    SUPER_CRM_RATE_LIMIT_MAX: '6000',
    SUPER_CRM_RATE_LIMIT_DURATION_MS: '60000',
    SUPER_CRM_RETRY_MAX_ATTEMPTS: '10',
    SUPER_CRM_RETRY_DELAY_MS: '100',
    SUPER_CRM_RETRY_BACKOFF_FACTOR: '2',
    SUPER_CRM_RETRY_MAX_DELAY_MS: '1000',
    EVOLUTION_API_URL: input.evolutionUrl,
    EVOLUTION_API_KEY: STACK_SECRETS.EVOLUTION_API_KEY,
    EVOLUTION_INSTANCES: 'sales-01',
    EVOLUTION_RETRY_DELAY_MS: '100',
    EVOLUTION_RETRY_MAX_DELAY_MS: '1000',
    // The instance monitor polls Evolution every few seconds: noise here.
    EVOLUTION_MONITORING_ENABLED: 'false',
    // Reconciliation reads the Evolution double's store: only where a scenario asks for it.
    RECONCILE_INTERVAL_MS: '0',
    WORKER_CONCURRENCY: '4',
    WORKER_SHUTDOWN_TIMEOUT_MS: '10000',
    // An outage a scenario injects opens the breaker; a probe follows soon, not after the default 30 s.
    CIRCUIT_OPEN_MS: '500',
    // Two cores shared by the test runner, the doubles, Redis and several processes: a request can reach the
    // double several hundred ms after taking its slot, so the windows keep that much free (the double stays strict).
    SUPER_CRM_SEND_SLACK_MS: '600',
    ...input.overrides,
  };
}
