import { dedupeIdFor, dedupeKeyIn, evolutionDedupeKey, legacyMarkerKey } from '@zaprelay/core';
import { evolutionText, monitorCommands } from '@zaprelay/test-kit';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngress, evolutionAuth, type Ingress, json } from './ingress-harness.js';

describe('the cost of one webhook in Redis', () => {
  let ingress: Ingress;
  let monitor: { stop(): void } | undefined;
  beforeEach(async () => {
    ingress = await buildIngress();
  });
  afterEach(async () => {
    monitor?.stop();
    await ingress.close();
  });

  it('is one round trip: the add with its deduplication, and the trace entry sent behind it', async () => {
    const redis = ingress.redis as Redis;
    // The first webhook loads BullMQ's script (EVALSHA, then EVAL on NOSCRIPT): not what is measured.
    await ingress.app.inject({ url: '/webhooks/evolution', ...json(evolutionText({ id: 'RT-WARM' }), evolutionAuth) });
    // ...and the one-off look for the previous release's markers (a SCAN) starts then: let it finish.
    await expect
      .poll(() => redis.exists(`${ingress.config.QUEUE_PREFIX}:dedupe-legacy-checked`), { timeout: 10_000 })
      .toBe(1);
    const addr = /addr=(\S+)/.exec(String(await redis.client('INFO')))?.[1];
    const sent: string[] = [];
    monitor = await monitorCommands(redis.options, ({ client, args }) => {
      if (client === addr) sent.push(String(args[0]).toLowerCase());
    });
    await new Promise((resolve) => setTimeout(resolve, 50));

    const res = await ingress.app.inject({
      url: '/webhooks/evolution',
      ...json(evolutionText({ id: 'RT-1' }), evolutionAuth),
    });
    expect(res.statusCode).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Before: EXISTS, the add, SET NX of the marker, and RPUSH + LTRIM + EXPIRE of the trace, each sent on its own;
    // then EXISTS, the add, and a marker script with the full source (EVAL).
    expect(sent).toEqual(['evalsha', 'evalsha']);
    const jobId = res.json().id as string;
    const body = evolutionText({ id: 'RT-1' });
    const dedupeId = dedupeIdFor('evolution', evolutionDedupeKey(body.event, body.instance, body.data) as string);
    // The job names its dedupe id (BullMQ's `deid`); its own id does not.
    expect(await ingress.queues.events.getJob(jobId)).toMatchObject({ deduplicationId: dedupeId });
    expect(jobId).toMatch(/^[\w-]{11}\.[0-9a-z]+$/);
    // BullMQ's deduplication key, in the queue's slot, kept for the dedupe TTL whatever becomes of the job.
    const dedupeKey = dedupeKeyIn(ingress.queues.events, dedupeId);
    // Kept: it names the job with a '+', which BullMQ's removal of that job leaves alone.
    expect(await redis.get(dedupeKey)).toBe(`${jobId}+`);
    const ttl = await redis.pttl(dedupeKey);
    expect(ttl).toBeGreaterThan((ingress.config.WEBHOOK_DEDUPE_TTL_SECONDS - 5) * 1000);
    // No marker of the old format is written any more.
    expect(await redis.exists(legacyMarkerKey(ingress.config.QUEUE_PREFIX, dedupeId))).toBe(0);
    const trace = await redis.lrange(`${ingress.config.QUEUE_PREFIX}:trace:RT-1`, 0, -1);
    expect(trace.map((e) => JSON.parse(e).stage)).toEqual(['received']);
    expect(await redis.ttl(`${ingress.config.QUEUE_PREFIX}:trace:RT-1`)).toBeGreaterThan(0);
  });

  it('sends the follow-up writes of webhooks answered together as one script call, each event kept and traced', async () => {
    const redis = ingress.redis as Redis;
    await ingress.app.inject({ url: '/webhooks/evolution', ...json(evolutionText({ id: 'RT-WARM' }), evolutionAuth) });
    const addr = /addr=(\S+)/.exec(String(await redis.client('INFO')))?.[1];
    const sent: { command: string; keys: number }[] = [];
    monitor = await monitorCommands(redis.options, ({ client, args }) => {
      if (client === addr) sent.push({ command: String(args[0]).toLowerCase(), keys: Number(args[2]) });
    });
    await new Promise((resolve) => setTimeout(resolve, 50));

    const ids = Array.from({ length: 20 }, (_, i) => `RT-BATCH-${i}`);
    const answers = await Promise.all(
      ids.map((id) =>
        ingress.app.inject({ url: '/webhooks/evolution', ...json(evolutionText({ id }), evolutionAuth) }),
      ),
    );
    expect(answers.map((r) => r.statusCode)).toEqual(ids.map(() => 202));
    await new Promise((resolve) => setTimeout(resolve, 100));

    // 20 adds (BullMQ's script names 9 keys); their keeps and traces in fewer calls than webhooks (2 keys each).
    const adds = sent.filter((c) => c.keys === 9);
    const followUps = sent.filter((c) => c.keys !== 9);
    expect(adds).toHaveLength(20);
    expect(followUps.length).toBeLessThan(5);
    expect(followUps.reduce((n, c) => n + c.keys, 0)).toBe(40);
    for (const [i, id] of ids.entries()) {
      const jobId = answers[i]?.json().id as string;
      const body = evolutionText({ id });
      const dedupeId = dedupeIdFor('evolution', evolutionDedupeKey(body.event, body.instance, body.data) as string);
      expect(await redis.get(dedupeKeyIn(ingress.queues.events, dedupeId))).toBe(`${jobId}+`);
      const trace = await redis.lrange(`${ingress.config.QUEUE_PREFIX}:trace:${id}`, 0, -1);
      expect(trace.map((e) => JSON.parse(e))).toEqual([expect.objectContaining({ stage: 'received', jobId })]);
    }
  });
});

describe('markers of the previous release (before BullMQ deduplication)', () => {
  let ingress: Ingress;
  afterEach(() => ingress.close());

  it('are still honoured after an upgrade: a redelivery of an event the old release stored is a duplicate', async () => {
    ingress = await buildIngress();
    const body = evolutionText({ id: 'OLD-1' });
    const dedupeId = dedupeIdFor('evolution', evolutionDedupeKey(body.event, body.instance, body.data) as string);
    // What the old release wrote for an event it stored (its job long completed and removed).
    await ingress.redis.set(legacyMarkerKey(ingress.config.QUEUE_PREFIX, dedupeId), '1', 'EX', 3600);

    const res = await ingress.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'duplicate' });
    expect(await ingress.queues.events.getJobCountByTypes('waiting', 'prioritized', 'delayed')).toBe(0);

    // A new message is stored as usual while the old markers are checked.
    const fresh = await ingress.app.inject({
      url: '/webhooks/evolution',
      ...json(evolutionText({ id: 'NEW-1' }), evolutionAuth),
    });
    expect(fresh.statusCode).toBe(202);
  });

  it.each([
    // An earlier release's job ids were `<dedupeId>.<attempt>`, kept whole with a '+'.
    ['the whole job id', 'OLD-KEPT-1', (dedupeId: string) => `${dedupeId}.0a1b2c3d+`],
    // The release before this one kept only the attempt; its key's name said the rest.
    ['only the attempt', 'OLD-ATTEMPT-1', () => '8e9e66000001+'],
  ])('read keys an earlier release kept (naming %s): a redelivery answers that job', async (_, id, kept) => {
    ingress = await buildIngress();
    const body = evolutionText({ id });
    const dedupeId = dedupeIdFor('evolution', evolutionDedupeKey(body.event, body.instance, body.data) as string);
    const value = kept(dedupeId);
    await ingress.redis.set(dedupeKeyIn(ingress.queues.events, dedupeId), value, 'EX', 3600);

    const res = await ingress.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
    expect(res.statusCode).toBe(200);
    const attempt = value.slice(0, -1).split('.').at(-1);
    expect(res.json()).toEqual({ status: 'duplicate', id: `${dedupeId}.${attempt}` });
  });
});
