import { ExternalApiError, type Logger, monitorKeys, type RedisClient } from '@zaprelay/core';
import type { HealthTracker } from '../monitor/health-tracker.js';
import type { WorkerMetrics } from './worker-metrics.js';

export interface InstrumentDeps {
  api: string;
  metrics: WorkerMetrics;
  tracker: HealthTracker;
  logger: Logger;
  /** When set, every call is also recorded in the CRM request window (sorted set). */
  window?: { redis: RedisClient; prefix: string; durationMs: number };
}

/**
 * Whether a failed call says the API itself is unwell. A 4xx (a contact
 * deleted meanwhile, the 409 of a create race, a 429) is the API answering
 * as it should: counted as a failed operation, but not against its health.
 */
function isHealthFailure(error: unknown): boolean {
  return !(error instanceof ExternalApiError) || error.kind === 'retryable';
}

/**
 * Wraps every async method of an API client: duration and outcome metrics,
 * the API's health history, and (for the CRM) the request window. Telemetry
 * never fails the call it observes.
 */
export function instrumentClient<T extends object>(client: T, deps: InstrumentDeps): T {
  const log = deps.logger.child({ component: 'instrumentation', api: deps.api });
  const record = async (operation: string, started: number, error?: unknown) => {
    const seconds = (performance.now() - started) / 1000;
    const outcome = error === undefined ? 'success' : 'failure';
    deps.metrics.operations.inc({ api: deps.api, operation, outcome });
    deps.metrics.operationSeconds.observe({ api: deps.api, operation, outcome }, seconds);
    try {
      if (deps.window) {
        const now = Date.now();
        const key = monitorKeys(deps.window.prefix).crmRequests;
        await deps.window.redis
          .multi()
          .zadd(key, now, `${now}:${Math.random().toString(36).slice(2)}`)
          .zremrangebyscore(key, '-inf', now - deps.window.durationMs * 2)
          .exec();
      }
      const unwell = error !== undefined && isHealthFailure(error);
      await deps.tracker.observeApi(deps.api, {
        at: new Date().toISOString(),
        state: unwell ? 'error' : 'ok',
        responseTimeMs: Math.round(seconds * 1000),
        error: unwell ? (error instanceof Error ? error.message : String(error)) : undefined,
      });
    } catch (err) {
      log.warn({ err: { message: (err as Error).message }, operation }, 'could not record telemetry');
    }
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          await record(String(property), started);
          return result;
        } catch (err) {
          await record(String(property), started, err);
          throw err;
        }
      };
    },
  });
}
