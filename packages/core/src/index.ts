export { type Config, envSchema } from './config/env-schema.js';
export { ConfigError, loadConfig, loadConfigOrExit } from './config/load-config.js';
export { classifyStatus, ExternalApiError, type FailureKind, parseRetryAfter } from './errors.js';
export { toExternalApiError } from './http/wrap-axios-error.js';
export { createLogger, type Logger, REDACT_PATHS } from './logger.js';
export {
  e164Schema,
  type GatewaySource,
  gatewaySourceSchema,
  type InternalMessage,
  internalMessageSchema,
  type MessageKind,
  messageActivityKey,
  messageKindSchema,
} from './messages.js';
export { createMetricsRegistry } from './metrics.js';
export {
  type Alert,
  alertSchema,
  type HealthStatus,
  type HistoryEntry,
  healthStatusSchema,
  historyEntrySchema,
  type InstanceStatus,
  instanceStatusSchema,
  monitorKeys,
} from './monitoring.js';
export { canonicalPhone, type PhoneForms, phoneForms } from './phones/phone-forms.js';
export { createQueue, type QueueContext } from './queues/create-queue.js';
export { backoffStrategyFor, type RateLimitable, rethrowForBullMQ, toJobId } from './queues/failure-handling.js';
export { defaultJobOptions, retryPolicyFor } from './queues/job-options.js';
export {
  type CrmJob,
  crmJobSchema,
  type OutboundJob,
  type OutboundResult,
  outboundJobSchema,
  outboundResultSchema,
  type WebhookEventJob,
  webhookEventJobSchema,
} from './queues/job-schemas.js';
export { ALL_QUEUES, QUEUES, type QueueName } from './queues/names.js';
export { baseWorkerOptions } from './queues/worker-options.js';
export { createRedisConnection, pingRedis, type RedisRole } from './redis.js';
export {
  BACKOFF_TYPE,
  backoffDelay,
  crmRetryPolicy,
  gatewayRetryPolicy,
  type RetryPolicy,
  retryJobOptions,
} from './retry.js';
export { MAX_SEND_TEXT_LENGTH } from './send-limits.js';
export { collectStatus, RECENT_ALERTS, type StatusDeps } from './status/collect-status.js';
export {
  type ApiHealth,
  apiHealthSchema,
  type DashboardStatus,
  dashboardStatusSchema,
  JOB_STATES,
  type QueueStatus,
} from './status/status-schema.js';
export { MINUTE_MS, perMinuteSeries, SERIES_MINUTES } from './status/throughput.js';
export { describeIssues } from './validation/describe-issues.js';
