import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evolutionText, type LocalRedis, startRedisServer, waitFor } from '@zaprelay/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIngress, evolutionAuth, json } from './ingress-harness.js';

describe('ingress with Redis stopped and started again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zaprelay-outage-'));
  let redis: LocalRedis | undefined;
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 queue_unavailable quickly while Redis is down, recovers by itself, loses nothing it acknowledged', async () => {
    redis = await startRedisServer({ dir, persist: true });
    const port = redis.port;
    const ingress = await buildIngress({}, redis.url);
    const acknowledged: string[] = [];
    const post = async (id: string) => {
      const res = await ingress.app.inject({
        url: '/webhooks/evolution',
        ...json(evolutionText({ id }), evolutionAuth),
      });
      if (res.statusCode === 202) acknowledged.push(res.json().id);
      return res;
    };

    expect((await post('BEFORE-1')).statusCode).toBe(202);
    await redis.stop();
    const down = await post('DURING-1');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ error: 'queue_unavailable' });
    expect(down.headers['retry-after']).toBeDefined();
    const ready = await ingress.app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(503);

    redis = await startRedisServer({ dir, persist: true, port });
    await waitFor('ingress to recover', async () => (await post('AFTER-1')).statusCode === 202, 20_000, 250);
    expect((await ingress.app.inject({ url: '/health/ready' })).statusCode).toBe(200);
    // The redelivery of what got a 503 now goes through.
    expect((await post('DURING-1')).statusCode).toBe(202);

    for (const id of acknowledged) expect(await ingress.queues.events.getJob(id), id).toBeDefined();
    expect(acknowledged.length).toBeGreaterThanOrEqual(3);
    await ingress.close();
  }, 40_000);
});
