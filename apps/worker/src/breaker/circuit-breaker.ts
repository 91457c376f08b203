import type { RedisClient } from '@zaprelay/core';
import { type CircuitState, circuitKey, readCircuit } from '@zaprelay/core';

/**
 * Both scripts read the clock of Redis (TIME), so every worker process, on
 * whatever host, agrees on when an open breaker may be probed. One key each:
 * valid on Redis Cluster.
 *
 * acquire → {state, waitMs, probe, from}: `waitMs > 0` means do not call;
 * `probe = 1` means this caller holds the half-open probe until it records.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local openMs = tonumber(ARGV[1])
local probeTtl = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'state', 'until', 'probeUntil')
local state = s[1] or 'closed'
if state == 'closed' then return {'closed', 0, 0, ''} end
if state == 'open' then
  local untilMs = tonumber(s[2]) or 0
  if now < untilMs then return {'open', untilMs - now, 0, ''} end
  redis.call('HSET', KEYS[1], 'state', 'half-open', 'since', now, 'probeUntil', now + probeTtl)
  return {'half-open', 0, 1, 'open'}
end
local probeUntil = tonumber(s[3]) or 0
if now < probeUntil then return {'half-open', math.min(probeUntil - now, openMs), 0, ''} end
redis.call('HSET', KEYS[1], 'probeUntil', now + probeTtl)
return {'half-open', 0, 1, ''}
`;

/** record → {state, from}: `from` is set when this outcome moved the breaker. */
const RECORD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local outcome = ARGV[1]
local threshold = tonumber(ARGV[2])
local openMs = tonumber(ARGV[3])
local s = redis.call('HMGET', KEYS[1], 'state', 'failures')
local state = s[1] or 'closed'
if outcome == 'success' then
  if state == 'closed' then
    if (tonumber(s[2]) or 0) > 0 then redis.call('HSET', KEYS[1], 'failures', 0) end
    return {'closed', ''}
  end
  redis.call('HSET', KEYS[1], 'state', 'closed', 'since', now, 'failures', 0, 'probeUntil', 0)
  return {'closed', state}
end
if state == 'open' then return {'open', ''} end
if state == 'closed' then
  local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
  if failures < threshold then return {'closed', ''} end
end
redis.call('HSET', KEYS[1], 'state', 'open', 'since', now, 'until', now + openMs, 'failures', 0, 'probeUntil', 0)
return {'open', state}
`;

export interface CircuitTransition {
  api: string;
  from: CircuitState;
  to: CircuitState;
}

export interface CircuitBreakerOptions {
  redis: RedisClient;
  prefix: string;
  api: string;
  /** Transient failures in a row that open the breaker. */
  failureThreshold: number;
  openMs: number;
  /** How long a probe may take before another worker may probe (request timeout plus any wait before it). */
  probeTimeoutMs: number;
  /** Called by the one process whose call moved the breaker. */
  onTransition?: (transition: CircuitTransition) => void | Promise<void>;
}

export type Admission = { allowed: true; probe: boolean } | { allowed: false; retryInMs: number };

/**
 * A circuit breaker whose state lives in Redis, shared by every worker
 * process: closed (calls go through), open (none do, for `openMs`), half-open
 * (one probe at a time, a lock in the same hash; its success closes the
 * breaker, its failure opens it again).
 */
export function createCircuitBreaker(options: CircuitBreakerOptions) {
  const key = circuitKey(options.prefix, options.api);
  const announce = async (from: string, to: string) => {
    if (from && from !== to) {
      await options.onTransition?.({ api: options.api, from: from as CircuitState, to: to as CircuitState });
    }
  };
  return {
    api: options.api,
    async acquire(): Promise<Admission> {
      const [state, waitMs, probe, from] = (await options.redis.eval(
        ACQUIRE,
        1,
        key,
        options.openMs,
        options.probeTimeoutMs,
      )) as [string, number, number, string];
      await announce(from, state);
      // Jitter spreads the jobs that all wait for the same moment.
      return waitMs > 0
        ? { allowed: false, retryInMs: waitMs + Math.floor(Math.random() * Math.max(100, options.openMs / 10)) }
        : { allowed: true, probe: probe === 1 };
    },
    /** Records a call's outcome; says the state it left the breaker in. */
    async record(outcome: 'success' | 'failure'): Promise<CircuitState> {
      const [state, from] = (await options.redis.eval(
        RECORD,
        1,
        key,
        outcome,
        options.failureThreshold,
        options.openMs,
      )) as [string, string];
      await announce(from, state);
      return state as CircuitState;
    },
    async state() {
      return readCircuit(await options.redis.hgetall(key));
    },
  };
}

export type CircuitBreaker = ReturnType<typeof createCircuitBreaker>;
