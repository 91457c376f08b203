import type { Config, RedisClient } from '@zaprelay/core';
import { type CircuitBreakerOptions, createCircuitBreaker } from './circuit-breaker.js';

export type BreakerApi = 'supercrm' | 'evolution' | 'wuzapi';

/** How long one call may take, per API: a probe holds its lock this long (plus any wait for a send slot). */
function probeTimeoutMs(config: Config, api: BreakerApi): number {
  if (api === 'supercrm') return config.SUPER_CRM_TIMEOUT_MS + config.SUPER_CRM_RATE_LIMIT_DURATION_MS;
  return (api === 'evolution' ? config.EVOLUTION_TIMEOUT_MS : config.WUZAPI_TIMEOUT_MS) + 1000;
}

/** The breaker of one API, from config (CIRCUIT_*). */
export function breakerFor(
  api: BreakerApi,
  config: Config,
  redis: RedisClient,
  onTransition?: CircuitBreakerOptions['onTransition'],
) {
  return createCircuitBreaker({
    redis,
    prefix: config.QUEUE_PREFIX,
    api,
    failureThreshold: config.CIRCUIT_FAILURE_THRESHOLD,
    openMs: config.CIRCUIT_OPEN_MS,
    probeTimeoutMs: probeTimeoutMs(config, api),
    onTransition,
  });
}
