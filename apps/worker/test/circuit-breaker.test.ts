import { setTimeout as sleep } from 'node:timers/promises';
import { CircuitOpenError, circuitKey, createRedisConnection, ExternalApiError } from '@zaprelay/core';
import { testRedisUrl, uniquePrefix } from '@zaprelay/test-kit/vitest';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CircuitTransition, createCircuitBreaker } from '../src/breaker/circuit-breaker.js';
import { guardClient } from '../src/breaker/guard-client.js';

const down = () => new ExternalApiError('503', { service: 'x', operation: 'op', kind: 'retryable', status: 503 });
const refused = () => new ExternalApiError('422', { service: 'x', operation: 'op', kind: 'permanent', status: 422 });

describe('circuit breaker (state in Redis, shared by every process)', () => {
  const prefix = uniquePrefix('breaker');
  const connections: Redis[] = [];
  const connect = () => {
    const c = createRedisConnection(testRedisUrl(), { role: 'worker' });
    connections.push(c);
    return c;
  };
  let redis: Redis;
  beforeAll(() => {
    redis = connect();
  });
  afterAll(async () => {
    await redis.del(...['a', 'b', 'c', 'd'].map((api) => circuitKey(prefix, api)));
    for (const c of connections) c.disconnect();
  });

  const breakerOn = (api: string, transitions: CircuitTransition[] = [], connection = redis) =>
    createCircuitBreaker({
      redis: connection,
      prefix,
      api,
      failureThreshold: 3,
      openMs: 300,
      probeTimeoutMs: 2000,
      onTransition: (t) => {
        transitions.push(t);
      },
    });

  it('opens after the threshold of transient failures in a row, and a success in between resets the count', async () => {
    const transitions: CircuitTransition[] = [];
    const breaker = breakerOn('a', transitions);
    expect(await breaker.record('failure')).toBe('closed');
    expect(await breaker.record('failure')).toBe('closed');
    expect(await breaker.record('success')).toBe('closed');
    expect(await breaker.record('failure')).toBe('closed');
    expect(await breaker.record('failure')).toBe('closed');
    expect(await breaker.record('failure')).toBe('open');
    expect(transitions).toEqual([{ api: 'a', from: 'closed', to: 'open' }]);
    const denied = await breaker.acquire();
    expect(denied.allowed).toBe(false);
    expect((await breaker.state()).state).toBe('open');
    expect((await breaker.state()).since).toMatch(/^\d{4}-/);
  });

  it('after the open time lets exactly one probe through across processes; its success closes it', async () => {
    const transitions: CircuitTransition[] = [];
    const breakers = Array.from({ length: 4 }, () => breakerOn('b', transitions, connect()));
    for (let i = 0; i < 3; i++) await breakers[0]?.record('failure');
    expect((await Promise.all(breakers.map((b) => b.acquire()))).every((a) => !a.allowed)).toBe(true);
    await sleep(350);
    const admissions = await Promise.all(breakers.flatMap((b) => [b.acquire(), b.acquire()]));
    expect(admissions.filter((a) => a.allowed)).toEqual([{ allowed: true, probe: true }]);
    expect((await breakers[1]?.state())?.state).toBe('half-open');
    expect(await breakers[2]?.record('success')).toBe('closed');
    expect(await breakers[3]?.acquire()).toEqual({ allowed: true, probe: false });
    expect(transitions.map((t) => `${t.from}>${t.to}`)).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
  });

  it('a failed probe opens it again for the open time', async () => {
    const breaker = breakerOn('c');
    for (let i = 0; i < 3; i++) await breaker.record('failure');
    await sleep(350);
    expect(await breaker.acquire()).toEqual({ allowed: true, probe: true });
    expect(await breaker.record('failure')).toBe('open');
    expect((await breaker.acquire()).allowed).toBe(false);
  });

  it('guardClient: an open breaker stops calls before they leave; 4xx answers do not open it', async () => {
    const breaker = breakerOn('d');
    let calls = 0;
    let fail: () => Error = down;
    const client = guardClient(
      {
        async call() {
          calls++;
          throw fail();
        },
      },
      { breaker, openMs: 300 },
    );
    fail = refused;
    for (let i = 0; i < 5; i++) await expect(client.call()).rejects.toBeInstanceOf(ExternalApiError);
    expect((await breaker.state()).state).toBe('closed');
    fail = down;
    await expect(client.call()).rejects.toBeInstanceOf(ExternalApiError);
    await expect(client.call()).rejects.toBeInstanceOf(ExternalApiError);
    // The failure that opens it is already the breaker's: the job keeps its attempt.
    const opening = await client.call().catch((e: unknown) => e);
    expect(opening).toBeInstanceOf(CircuitOpenError);
    expect((opening as CircuitOpenError).cause).toBeInstanceOf(ExternalApiError);
    const before = calls;
    for (let i = 0; i < 10; i++) await expect(client.call()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(before);
  });
});
