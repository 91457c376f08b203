import { z } from 'zod';

/**
 * The circuit breaker's contract between the workers (which write it) and
 * /api/status and the dashboard (which read it).
 */
export const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const;
export const circuitStateSchema = z.enum(CIRCUIT_STATES);
export type CircuitState = z.infer<typeof circuitStateSchema>;

/** The APIs zaprelay puts a breaker on; the status shows each of them. */
export const CIRCUIT_APIS = ['supercrm', 'evolution', 'wuzapi'] as const;

/**
 * One hash per API (state, since, until, failures, probeUntil), a single key
 * so that the breaker's scripts stay valid on Redis Cluster.
 */
export function circuitKey(prefix: string, api: string): string {
  return `${prefix}:circuit:${api}`;
}

/** The breaker's view of a stored hash; an API never tripped is closed. */
export function readCircuit(hash: Record<string, string>): { state: CircuitState; since?: string } {
  const state = circuitStateSchema.safeParse(hash.state);
  const sinceMs = Number(hash.since);
  return {
    state: state.success ? state.data : 'closed',
    since: Number.isFinite(sinceMs) && sinceMs > 0 ? new Date(sinceMs).toISOString() : undefined,
  };
}

/**
 * A call not made because the API's breaker is open (or another worker is
 * probing it), or a transient failure that left it open. Not the job's
 * fault: workers put the job back for later without using up an attempt.
 */
export class CircuitOpenError extends Error {
  readonly api: string;
  /** When the API may be tried again (ms from now). */
  readonly retryInMs: number;

  constructor(api: string, retryInMs: number, cause?: unknown) {
    super(`${api} circuit is open: not calling it for ${Math.round(retryInMs)} ms`, { cause });
    this.name = 'CircuitOpenError';
    this.api = api;
    this.retryInMs = retryInMs;
  }
}
