import { randomUUID } from 'node:crypto';
import { type Config, ExternalApiError, loadConfig } from '@zaprelay/core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { type LocalRedisCluster, startRedisCluster } from '../redis/redis-cluster.js';

export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** Every test gets its own BullMQ prefix, so it never sees (or cleans) anyone else's keys. */
export function uniquePrefix(label = 'test'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/** A validated config pointing at the run's Redis with a private queue prefix. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: uniquePrefix(),
    LOG_LEVEL: 'silent',
    // A breaker opened by a test's injected faults probes again soon, not after the default 30 s.
    CIRCUIT_OPEN_MS: '300',
    ...overrides,
  });
}

/** Awaits a call that must fail with the project's typed ExternalApiError, and returns that error. */
export async function externalFailure(promise: Promise<unknown>): Promise<ExternalApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ExternalApiError);
  return err as ExternalApiError;
}

/** A throw-away Redis Cluster (3 masters) for a describe block: started before its tests, stopped after them. */
export function useRedisCluster(masters = 3): { readonly nodes: string } {
  let cluster: LocalRedisCluster | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster(masters);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return {
    get nodes() {
      if (!cluster) throw new Error('the Redis Cluster is not started (use it inside a test or hook)');
      return cluster.nodes;
    },
  };
}
