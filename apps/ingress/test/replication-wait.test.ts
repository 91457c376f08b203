import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  evolutionText,
  hasRedisServerBinary,
  type LocalSentinelGroup,
  startRedisSentinelGroup,
} from '@zaprelay/test-kit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngress, evolutionAuth, json, SECRETS } from './ingress-harness.js';

const apiAuth = { authorization: `Bearer ${SECRETS.API_TOKEN}` };

describe('REDIS_WAIT_REPLICAS: 2xx only once replicas hold the write', () => {
  it('answers 503 queue_unavailable when fewer replicas than asked acknowledge in time (the run Redis has none)', async () => {
    const ingress = await buildIngress({ REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '50' });
    try {
      const webhook = await ingress.app.inject({
        url: '/webhooks/evolution',
        ...json(evolutionText({ id: 'WAIT-NO-REPLICA' }), evolutionAuth),
      });
      expect(webhook.statusCode).toBe(503);
      expect(webhook.json()).toEqual({ error: 'queue_unavailable' });
      // The redelivery (now a duplicate of a stored job) is not acknowledged either while no replica has it.
      const again = await ingress.app.inject({
        url: '/webhooks/evolution',
        ...json(evolutionText({ id: 'WAIT-NO-REPLICA' }), evolutionAuth),
      });
      expect(again.statusCode).toBe(503);
      const send = await ingress.app.inject({
        url: '/api/messages',
        ...json({ instance: 'sales-01', to: '5511999990000', text: 'olá' }, apiAuth),
      });
      expect(send.statusCode).toBe(503);
      // A send retried with its Idempotency-Key is remembered (24 h), but still not acknowledged before a replica has it.
      const keyed = () =>
        ingress.app.inject({
          url: '/api/messages',
          ...json(
            { instance: 'sales-01', to: '5511999990000', text: 'olá' },
            { ...apiAuth, 'idempotency-key': 'wait-order-1' },
          ),
        });
      expect((await keyed()).statusCode).toBe(503);
      expect((await keyed()).statusCode).toBe(503);
    } finally {
      await ingress.close();
    }
  });

  it('with the default (0) answers 202 on the same Redis', async () => {
    const ingress = await buildIngress({ REDIS_WAIT_TIMEOUT_MS: '50' });
    try {
      const res = await ingress.app.inject({
        url: '/webhooks/evolution',
        ...json(evolutionText({ id: 'WAIT-DEFAULT' }), evolutionAuth),
      });
      expect(res.statusCode).toBe(202);
    } finally {
      await ingress.close();
    }
  });
});

describe.runIf(hasRedisServerBinary())('through Sentinel, with a replica', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zaprelay-sentinel-ingress-'));
  let group: LocalSentinelGroup;
  beforeAll(async () => {
    group = await startRedisSentinelGroup({ dir, replicas: 1 });
  }, 60_000);
  afterAll(async () => {
    await group?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the master through REDIS_SENTINELS and answers 202 once the replica holds the job', async () => {
    // REDIS_URL points nowhere useful: only the Sentinels know where the master is.
    const ingress = await buildIngress(
      {
        REDIS_SENTINELS: group.sentinelsEnv,
        REDIS_SENTINEL_NAME: group.name,
        REDIS_WAIT_REPLICAS: '1',
        REDIS_WAIT_TIMEOUT_MS: '1000',
      },
      'redis://127.0.0.1:1',
    );
    const replica = new Redis(group.replicas[0]?.url as string);
    try {
      const res = await ingress.app.inject({
        url: '/webhooks/evolution',
        ...json(evolutionText({ id: 'WAIT-REPLICATED' }), evolutionAuth),
      });
      expect(res.statusCode).toBe(202);
      const jobId = res.json().id as string;
      // Acknowledged means already on the replica, not merely on its way there.
      expect(await replica.exists(`${ingress.config.QUEUE_PREFIX}:events:${jobId}`)).toBe(1);
    } finally {
      replica.disconnect();
      await ingress.close();
    }
  });

  it('shares one WAIT among requests in flight together instead of queueing one per request', async () => {
    const ingress = await buildIngress({
      REDIS_SENTINELS: group.sentinelsEnv,
      REDIS_SENTINEL_NAME: group.name,
      REDIS_WAIT_REPLICAS: '1',
      REDIS_WAIT_TIMEOUT_MS: '1000',
    });
    const master = new Redis(group.master.url);
    const waitCalls = async () => Number(/cmdstat_wait:calls=(\d+)/.exec(await master.info('commandstats'))?.[1] ?? 0);
    try {
      const before = await waitCalls();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          ingress.app.inject({
            url: '/webhooks/evolution',
            ...json(evolutionText({ id: `WAIT-SHARED-${n}` }), evolutionAuth),
          }),
        ),
      );
      expect(answers.map((a) => a.statusCode)).toEqual(answers.map(() => 202));
      expect(await waitCalls()).toBeLessThan(before + 10);
    } finally {
      master.disconnect();
      await ingress.close();
    }
  });
});
