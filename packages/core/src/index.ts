export {
  CIRCUIT_APIS,
  CIRCUIT_STATES,
  CircuitOpenError,
  type CircuitState,
  circuitKey,
  circuitStateSchema,
  readCircuit,
} from './circuit.js';
export { loadDotEnv } from './config/dot-env.js';
export { type Config, envSchema } from './config/env-schema.js';
export { ConfigError, loadConfig, loadConfigOrExit } from './config/load-config.js';
export { classifyStatus, ExternalApiError, type FailureKind, parseRetryAfter } from './errors.js';
export { toExternalApiError } from './http/wrap-axios-error.js';
export { byInstance, configuredSpelling, instanceKey, listsInstance } from './instances.js';
export { type AfterStoreWrites, createAfterStoreWrites } from './intake/after-store-writes.js';
export { evolutionDedupeKey, wuzapiDedupeKey } from './intake/dedupe-keys.js';
export {
  createLegacyMarkerWindow,
  type LegacyMarkerWindow,
  legacyMarkerKey,
} from './intake/legacy-markers.js';
export { anyStored, dedupeIdFor, dedupeKeyIn, type StoreOnceDeps, storeOnce } from './intake/store-once.js';
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
  type WebhookSetupRecord,
  webhookSetupRecordSchema,
} from './monitoring.js';
export { canonicalPhone, type PhoneForms, phoneForms } from './phones/phone-forms.js';
export {
  type BackfillJob,
  type BackfillProgress,
  backfillJobSchema,
  backfillProgressSchema,
  configuredInstances,
  gatewayOfInstance,
} from './queues/backfill-job.js';
export { createQueue, type QueueContext } from './queues/create-queue.js';
export {
  backoffStrategyFor,
  type Delayable,
  type RateLimitable,
  rethrowForBullMQ,
  toJobId,
} from './queues/failure-handling.js';
export { defaultJobOptions, jobRetention, retryPolicyFor } from './queues/job-options.js';
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
export {
  allPhysicalQueues,
  eventsShardNames,
  eventsShardOf,
  logicalQueueOf,
  physicalQueues,
  queuePrefix,
} from './queues/layout.js';
export { ALL_QUEUES, QUEUES, type QueueName } from './queues/names.js';
export { createSystemQueues, type SystemQueues } from './queues/system-queues.js';
export { baseWorkerOptions } from './queues/worker-options.js';
export {
  createRedisConnection,
  isClusterTarget,
  pingRedis,
  type RedisClient,
  type RedisRole,
  type RedisTarget,
} from './redis.js';
export {
  createRedisReadiness,
  type RedisDurability,
  type RedisReadiness,
  readRedisDurability,
  redisDurabilitySchema,
} from './redis-durability.js';
export { connectRedis } from './redis-from-config.js';
export { REDIS_MEMORY_SETTINGS, redisMemoryArgs } from './redis-memory-settings.js';
export { type RedisScript, redisScript } from './redis-script.js';
export { type SentinelTarget, sentinelOptions, sentinelTarget } from './redis-sentinel.js';
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
export {
  createMessageTrace,
  type MessageTrace,
  TRACE_APPEND_LUA,
  TRACE_MAX_ENTRIES,
  type TraceEntry,
  type TraceFields,
  type TraceWrite,
  traceEntrySchema,
  traceMessageIdSchema,
} from './trace/message-trace.js';
export { describeIssues } from './validation/describe-issues.js';
