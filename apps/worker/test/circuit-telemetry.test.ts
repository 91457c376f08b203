import { circuitKey, createLogger, createMetricsRegistry, createRedisConnection } from '@zaprelay/core';
import { testConfig } from '@zaprelay/test-kit/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '../src/breaker/circuit-breaker.js';
import { createCircuitTelemetry } from '../src/breaker/circuit-telemetry.js';
import type { HealthChange } from '../src/monitor/alert-publisher.js';
import { buildMonitor } from './monitor-fixture.js';

/** A series line whatever default labels the registry adds after the given ones. */
const series = (name: string, labels: string, value: number) =>
  new RegExp(`^${name}\\{${labels.replace(/[{}]/g, '')}[^}]*\\} ${value}$`, 'm');

describe('circuit telemetry: a metric and an alert when a breaker opens and closes', () => {
  const config = testConfig();
  const redis = createRedisConnection(config.REDIS_URL, { role: 'worker' });
  afterAll(async () => {
    await redis.del(circuitKey(config.QUEUE_PREFIX, 'supercrm'));
    redis.disconnect();
  });

  it('alerts on open and on close (not on half-open), counts every change, and exposes the shared state', async () => {
    const registry = createMetricsRegistry('circuit-test');
    const alerts: HealthChange[] = [];
    const onTransition = createCircuitTelemetry({
      registry,
      redis,
      prefix: config.QUEUE_PREFIX,
      logger: createLogger(config, { name: 'circuit-test' }),
      publish: async (change) => {
        if ('from' in change) alerts.push(change);
        return undefined;
      },
    });
    const breaker = createCircuitBreaker({
      redis,
      prefix: config.QUEUE_PREFIX,
      api: 'supercrm',
      failureThreshold: 2,
      openMs: 100,
      probeTimeoutMs: 1000,
      onTransition,
    });
    await breaker.record('failure');
    await breaker.record('failure');
    const whileOpen = await registry.metrics();
    expect(whileOpen).toMatch(series('zaprelay_circuit_state', 'api="supercrm",state="open"', 1));
    expect(whileOpen).toMatch(series('zaprelay_circuit_state', 'api="supercrm",state="closed"', 0));
    expect(whileOpen).toMatch(series('zaprelay_circuit_state', 'api="evolution",state="closed"', 1));

    await new Promise((r) => setTimeout(r, 150));
    expect(await breaker.acquire()).toEqual({ allowed: true, probe: true });
    await breaker.record('success');

    expect(alerts.map((a) => [a.type, a.subject, a.from, a.to])).toEqual([
      ['breakerOpen', 'circuit:supercrm', 'healthy', 'down'],
      ['breakerClosed', 'circuit:supercrm', 'down', 'healthy'],
    ]);
    const after = await registry.metrics();
    expect(after).toMatch(series('zaprelay_circuit_transitions_total', 'api="supercrm",to="open"', 1));
    expect(after).toMatch(series('zaprelay_circuit_transitions_total', 'api="supercrm",to="half-open"', 1));
    expect(after).toMatch(series('zaprelay_circuit_transitions_total', 'api="supercrm",to="closed"', 1));
    expect(after).toMatch(series('zaprelay_circuit_state', 'api="supercrm",state="closed"', 1));
  });

  it('goes through the quiet-period rules: a reopening after a recovery alerts, a failed probe within the period does not', async () => {
    const monitor = buildMonitor({ quietPeriodMs: 60_000 });
    const { config, redis, store, publish, logger } = monitor;
    const breaker = createCircuitBreaker({
      redis,
      prefix: config.QUEUE_PREFIX,
      api: 'supercrm',
      failureThreshold: 1,
      openMs: 50,
      probeTimeoutMs: 1000,
      onTransition: createCircuitTelemetry({
        registry: createMetricsRegistry('circuit-quiet-test', { defaults: false }),
        redis,
        prefix: config.QUEUE_PREFIX,
        logger,
        publish,
      }),
    });
    const probe = async (outcome: 'success' | 'failure') => {
      await new Promise((r) => setTimeout(r, 80));
      expect(await breaker.acquire()).toEqual({ allowed: true, probe: true });
      await breaker.record(outcome);
    };
    try {
      await breaker.record('failure'); // opens
      await probe('failure'); // half-open → open again: the same outage, within the quiet period
      await probe('success'); // closes
      await breaker.record('failure'); // a new outage within the quiet period: alerted again
      const stored = (await store.alerts()).reverse();
      expect(stored.map((a) => [a.type, a.subject, a.to])).toEqual([
        ['breakerOpen', 'circuit:supercrm', 'down'],
        ['breakerClosed', 'circuit:supercrm', 'healthy'],
        ['breakerOpen', 'circuit:supercrm', 'down'],
      ]);
    } finally {
      await redis.del(circuitKey(config.QUEUE_PREFIX, 'supercrm'));
      redis.disconnect();
    }
  });
});
