import { createRedisConnection, loadConfig, type RedisClient, readRedisDurability } from '@zaprelay/core';
import { useRedisCluster } from '@zaprelay/test-kit/vitest';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('the eviction check on a Redis Cluster reads every master', () => {
  // A private cluster: one master's policy is changed here, which a shared Redis must never see.
  const cluster = useRedisCluster(3);
  let redis: RedisClient;
  beforeAll(() => {
    redis = createRedisConnection(loadConfig({ REDIS_CLUSTER_NODES: cluster.nodes }), { role: 'worker' });
  });
  afterAll(() => redis?.disconnect());

  it('one master of three with allkeys-lru: refused every time, naming that master', async () => {
    const [host, port] = (cluster.nodes.split(',')[1] as string).split(':') as [string, string];
    const admin = new Redis(Number(port), host);
    try {
      expect((await readRedisDurability(redis)).refused).toBeUndefined();
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      // CONFIG goes to one random master: a check of only one would pass most of these.
      for (let i = 0; i < 12; i++) {
        expect((await readRedisDurability(redis)).refused).toBe(
          `Redis maxmemory-policy is "allkeys-lru": it may evict queued jobs; set it to "noeviction" (cluster master ${host}:${port})`,
        );
      }
    } finally {
      admin.disconnect();
    }
  });
});
