import { CircuitOpenError, ExternalApiError } from '@zaprelay/core';
import type { CircuitBreaker } from './circuit-breaker.js';

export interface GuardOptions<T> {
  breaker: CircuitBreaker;
  /** The methods behind the breaker (default: every method); others pass straight through. */
  methods?: ReadonlyArray<keyof T & string>;
  /** Runs right before each guarded request leaves, after the breaker let it through (the CRM's send window). */
  beforeSend?: () => Promise<void>;
  /** How long a job waits when its own failure left the breaker open. */
  openMs: number;
}

/**
 * Only transient failures (5xx, 408, timeouts, connection errors: core's
 * `retryable`) say the API is down. A 4xx or a 429 is the API answering.
 */
function outcomeOf(err: unknown): 'success' | 'failure' | undefined {
  if (!(err instanceof ExternalApiError)) return undefined;
  return err.kind === 'retryable' ? 'failure' : 'success';
}

/**
 * Puts a client's methods behind a circuit breaker. A call the breaker does
 * not let through, and a transient failure that leaves it open, end in
 * CircuitOpenError: the job waits for the API instead of spending its
 * attempts on an outage.
 */
export function guardClient<T extends object>(client: T, options: GuardOptions<T>): T {
  const guarded = new Set<string | symbol>(options.methods ?? []);
  const { breaker } = options;
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || (options.methods && !guarded.has(property))) return value;
      return async (...args: unknown[]) => {
        const admission = await breaker.acquire();
        if (!admission.allowed) throw new CircuitOpenError(breaker.api, admission.retryInMs);
        let result: unknown;
        try {
          await options.beforeSend?.();
          result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (err) {
          const outcome = outcomeOf(err);
          // Not the API's doing: no verdict (a probe's lock then simply expires).
          if (outcome === undefined) throw err;
          const state = await breaker.record(outcome);
          if (outcome === 'failure' && state === 'open') throw new CircuitOpenError(breaker.api, options.openMs, err);
          throw err;
        }
        await breaker.record('success');
        return result;
      };
    },
  });
}
