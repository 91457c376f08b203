import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetricsRegistry, createRedisConnection, readRedisDurability } from '@zaprelay/core';
import { capturingLogger, type LocalRedis, startRedisServer } from '@zaprelay/test-kit';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpsServer } from '../src/ops-server.js';

describe('a Redis that can lose jobs is refused (/health/ready 503, with the reason)', () => {
  // A private redis-server: its settings are changed here, which a shared one must never see.
  const dir = mkdtempSync(join(tmpdir(), 'zaprelay-durability-'));
  let server: LocalRedis;
  let admin: Redis;
  const connections: Redis[] = [];
  const connect = (url: string) => {
    const c = createRedisConnection(url, { role: 'worker' });
    connections.push(c);
    return c;
  };
  beforeAll(async () => {
    server = await startRedisServer({ dir });
    admin = connect(server.url);
  });
  afterAll(async () => {
    for (const c of connections) c.disconnect();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function readyOf(redis: Redis) {
    const { logger, lines } = capturingLogger('info');
    const ops = await buildOpsServer({ logger, redis, registry: createMetricsRegistry('durability-test') });
    try {
      const res = await ops.inject({ method: 'GET', url: '/health/ready' });
      return { status: res.statusCode, body: res.json() as { status: string; reason?: string }, lines };
    } finally {
      await ops.close();
    }
  }

  it('noeviction: ready; without AOF or RDB: ready, with a warning in the log', async () => {
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    const { status, lines } = await readyOf(admin);
    expect(status).toBe(200);
    expect(lines.join('\n')).toMatch(/no persistence \(no AOF, no RDB save\)/);
    expect(await readRedisDurability(admin)).toMatchObject({ readFrom: 'config', aof: false, rdb: false });
  });

  it('allkeys-lru: 503 naming the policy, and the reason is logged', async () => {
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const { status, body, lines } = await readyOf(admin);
    expect(status).toBe(503);
    expect(body.reason).toMatch(/maxmemory-policy is "allkeys-lru"/);
    expect(lines.some((l) => l.includes('"level":50') && l.includes('allkeys-lru'))).toBe(true);
  });

  it('managed Redis that refuses CONFIG: the policy is read through INFO, and still refused', async () => {
    await admin.config('SET', 'maxmemory-policy', 'volatile-ttl');
    await admin.acl('SETUSER', 'managed', 'on', '>managed-pass', '~*', '&*', '+@all', '-config');
    const url = new URL(server.url);
    url.username = 'managed';
    url.password = 'managed-pass';
    const managed = connect(url.toString());
    await expect(managed.config('GET', 'maxmemory-policy')).rejects.toThrow(/NOPERM/);
    expect(await readRedisDurability(managed)).toMatchObject({ readFrom: 'info', maxmemoryPolicy: 'volatile-ttl' });
    const { status, body } = await readyOf(managed);
    expect(status).toBe(503);
    expect(body.reason).toMatch(/volatile-ttl/);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    expect((await readyOf(managed)).status).toBe(200);
  });
});
