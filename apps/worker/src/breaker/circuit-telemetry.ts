import type { RedisClient } from '@zaprelay/core';
import { CIRCUIT_APIS, CIRCUIT_STATES, circuitKey, type Logger, readCircuit } from '@zaprelay/core';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AlertPublisher } from '../monitor/alert-publisher.js';
import type { CircuitTransition } from './circuit-breaker.js';

export interface CircuitTelemetryDeps {
  registry: Registry;
  redis: RedisClient;
  prefix: string;
  publish: AlertPublisher;
  logger: Logger;
}

/**
 * Metrics and alerts of the breakers: `zaprelay_circuit_state` (read from
 * Redis at scrape time, so every process shows the shared state) and one
 * alert when a breaker opens and one when it closes, from the process whose
 * call moved it.
 */
export function createCircuitTelemetry(deps: CircuitTelemetryDeps) {
  const log = deps.logger.child({ component: 'circuit-breaker' });
  const registers = [deps.registry];
  const transitions = new Counter({
    name: 'zaprelay_circuit_transitions_total',
    help: 'Circuit breaker state changes by api and new state (closed|open|half-open)',
    labelNames: ['api', 'to'] as const,
    registers,
  });
  new Gauge({
    name: 'zaprelay_circuit_state',
    help: 'Circuit breaker state per api: 1 for the current state (closed|open|half-open), 0 for the others',
    labelNames: ['api', 'state'] as const,
    registers,
    async collect() {
      for (const api of CIRCUIT_APIS) {
        const { state } = readCircuit(await deps.redis.hgetall(circuitKey(deps.prefix, api)));
        for (const s of CIRCUIT_STATES) this.set({ api, state: s }, s === state ? 1 : 0);
      }
    },
  });

  return async function onTransition({ api, from, to }: CircuitTransition): Promise<void> {
    transitions.inc({ api, to });
    const level = to === 'open' ? 'warn' : 'info';
    log[level]({ event: 'circuitStateChanged', api, from, to }, `${api} circuit ${to}`);
    if (to === 'half-open') return;
    try {
      await deps.publish({
        subject: `circuit:${api}`,
        type: to === 'open' ? 'breakerOpen' : 'breakerClosed',
        from: to === 'open' ? 'healthy' : 'down',
        to: to === 'open' ? 'down' : 'healthy',
        reason:
          to === 'open'
            ? `${api} circuit opened after repeated transient failures: its jobs wait without using attempts`
            : `${api} circuit closed: a probe request succeeded`,
      });
    } catch (err) {
      log.warn({ err: { message: (err as Error).message }, api }, 'could not publish the circuit alert');
    }
  };
}
