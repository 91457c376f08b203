import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { provideRedis } from './provide-redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/**
 * Gives the whole test run one real Redis: REDIS_URL, else a private
 * redis-server, else testcontainers. Child processes started by tests read it
 * from ZAPRELAY_TEST_REDIS_URL.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'zaprelay-redis-'));
  const redis = await provideRedis(dir);
  process.stdout.write(`[test-kit] Redis for this run: ${redis.description}\n`);
  project.provide('redisUrl', redis.url);
  process.env.ZAPRELAY_TEST_REDIS_URL = redis.url;
  return async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
