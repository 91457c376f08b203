import { dedupeMarkerKey } from '@zaprelay/core';
import { evolutionText } from '@zaprelay/test-kit';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngress, evolutionAuth, type Ingress, json } from './ingress-harness.js';

describe('the cost of one webhook in Redis', () => {
  let ingress: Ingress;
  let monitor: Redis | undefined;
  beforeEach(async () => {
    ingress = await buildIngress();
  });
  afterEach(async () => {
    monitor?.disconnect();
    await ingress.close();
  });

  it('is three commands from the ingress: the marker check, the add, then marker and trace in one script', async () => {
    const redis = ingress.redis as Redis;
    // The first webhook loads BullMQ's script (EVALSHA, then EVAL on NOSCRIPT): not what is measured.
    await ingress.app.inject({ url: '/webhooks/evolution', ...json(evolutionText({ id: 'RT-WARM' }), evolutionAuth) });
    const addr = /addr=(\S+)/.exec(String(await redis.client('INFO')))?.[1];
    monitor = await new Redis({ host: redis.options.host, port: redis.options.port }).monitor();
    const sent: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source === addr) sent.push(String(args[0]).toLowerCase());
    });
    await new Promise((resolve) => setTimeout(resolve, 50));

    const res = await ingress.app.inject({
      url: '/webhooks/evolution',
      ...json(evolutionText({ id: 'RT-1' }), evolutionAuth),
    });
    expect(res.statusCode).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Before: EXISTS, the add, SET NX of the marker, and RPUSH + LTRIM + EXPIRE of the trace, each sent on its own.
    expect(sent).toEqual(['exists', 'evalsha', 'eval']);
    const jobId = res.json().id as string;
    expect(await redis.exists(dedupeMarkerKey(ingress.config.QUEUE_PREFIX, jobId))).toBe(1);
    const trace = await redis.lrange(`${ingress.config.QUEUE_PREFIX}:trace:RT-1`, 0, -1);
    expect(trace.map((e) => JSON.parse(e).stage)).toEqual(['received']);
    expect(await redis.ttl(`${ingress.config.QUEUE_PREFIX}:trace:RT-1`)).toBeGreaterThan(0);
  });
});
