export {
  createEvolutionDouble,
  type EvolutionConnectionStateName,
  type EvolutionDouble,
  type EvolutionDoubleContact,
  type EvolutionDoubleOptions,
  type EvolutionSentRecord,
  type EvolutionWebhookRecord,
} from './doubles/evolution/evolution-double.js';
export type { FindableMessage } from './doubles/evolution/find-messages-route.js';
export type { FaultOptions, HttpFault, RecordedRequest } from './doubles/evolution/http-faults.js';
export type { EvolutionWebhookRow } from './doubles/evolution/webhook-config.js';
export * from './doubles/supercrm/index.js';
export type { WuzapiHistoryRow, WuzapiHistoryStore } from './doubles/wuzapi/chat-history-route.js';
export type { WuzapiDoubleContact, WuzapiUserSession } from './doubles/wuzapi/session-endpoints.js';
export {
  createWuzapiDouble,
  type WuzapiDouble,
  type WuzapiDoubleOptions,
  type WuzapiSentRecord,
} from './doubles/wuzapi/wuzapi-double.js';
export * from './fixtures/index.js';
export { capturingLogger } from './logging/capturing-logger.js';
export { type MetricFamily, parsePrometheusText } from './metrics/parse-prometheus.js';
export {
  type AppProcess,
  COMPILED_NODE_ARGS,
  compiledEntry,
  compiledNodeArgs,
  repoRoot,
  startAppProcess,
  waitFor,
  waitForHttp,
  waitUntilReady,
} from './processes/app-process.js';
export { freePort } from './redis/free-port.js';
export { type MonitoredCommand, monitorCommands } from './redis/monitor-commands.js';
export { deleteKeysUnder, keysUnder, mastersHoldingKeys } from './redis/prefix-keys.js';
export { type LocalRedisCluster, startRedisCluster } from './redis/redis-cluster.js';
export {
  type LocalSentinelGroup,
  type SentinelNode,
  startRedisSentinelGroup,
} from './redis/redis-sentinel.js';
export { hasRedisServerBinary, type LocalRedis, startRedisServer } from './redis/redis-server.js';
