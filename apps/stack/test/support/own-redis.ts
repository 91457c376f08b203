import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalRedis, startRedisServer } from '@zaprelay/test-kit';
import { afterAll, beforeAll } from 'vitest';

export interface OwnRedis {
  readonly url: string;
  /** Stops the server (SIGTERM; its append-only file keeps what it acknowledged). */
  stop(): Promise<void>;
  /** Starts it again on the same port, from its files. */
  restart(): Promise<void>;
}

/**
 * For a fault suite: its own redis-server, persisted to an append-only file,
 * so that it can be stopped and started again on its port; removed after the suite.
 */
export function useOwnRedis(label: string): OwnRedis {
  const dir = mkdtempSync(join(tmpdir(), `zaprelay-${label}-`));
  let redis: LocalRedis | undefined;
  beforeAll(async () => {
    redis = await startRedisServer({ dir, persist: true });
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const started = () => {
    if (!redis) throw new Error('the suite’s Redis is not started');
    return redis;
  };
  return {
    get url() {
      return started().url;
    },
    stop: () => started().stop(),
    async restart() {
      redis = await startRedisServer({ dir, persist: true, port: started().port });
    },
  };
}
