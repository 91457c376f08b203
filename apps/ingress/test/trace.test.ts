import { createMessageTrace } from '@zaprelay/core';
import { capturingLogger, evolutionPresence, evolutionText, wuzapiJsonBody, wuzapiText } from '@zaprelay/test-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngress, evolutionAuth, type Ingress, json, SECRETS } from './ingress-harness.js';

const bearer = { authorization: `Bearer ${SECRETS.API_TOKEN}` };

describe('GET /api/trace/:messageId', () => {
  let ingress: Ingress;
  beforeEach(async () => {
    ingress = await buildIngress();
  });
  afterEach(() => ingress.close());

  it('answers when and on which route a message arrived, its job id, and each duplicate', async () => {
    const body = evolutionText({ instance: 'sales-01', id: 'TRACE-EVO-1', text: 'Olá' });
    const first = await ingress.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
    await ingress.app.inject({ url: '/webhooks/evolution/messages-upsert', ...json(body, evolutionAuth) });
    // The job is gone, the trace is not.
    await (await ingress.queues.events.getJob(first.json().id))?.remove();
    const res = await ingress.app.inject({ url: '/api/trace/TRACE-EVO-1', headers: bearer });
    expect(res.statusCode).toBe(200);
    const trace = res.json();
    expect(trace).toMatchObject({
      messageId: 'TRACE-EVO-1',
      received: expect.any(String),
      duplicates: 1,
      jobIds: [first.json().id],
      lastStage: 'duplicate',
    });
    expect(trace.entries).toEqual([
      expect.objectContaining({
        stage: 'received',
        route: '/webhooks/evolution',
        source: 'evolution',
        event: 'messages.upsert',
        instance: 'sales-01',
        jobId: first.json().id,
      }),
      expect.objectContaining({ stage: 'duplicate', route: '/webhooks/evolution/:event', jobId: first.json().id }),
    ]);
    expect(JSON.stringify(trace)).not.toContain('Olá');
  });

  it('keeps the trace at least WEBHOOK_DEDUPE_TTL_SECONDS, capped in length', async () => {
    await ingress.app.inject({
      url: '/webhooks/evolution',
      ...json(evolutionText({ id: 'TRACE-TTL' }), evolutionAuth),
    });
    const key = `${ingress.config.QUEUE_PREFIX}:trace:TRACE-TTL`;
    expect(await ingress.redis.ttl(key)).toBeGreaterThan(ingress.config.WEBHOOK_DEDUPE_TTL_SECONDS - 5);
    const trace = createMessageTrace(
      ingress.redis,
      ingress.config.QUEUE_PREFIX,
      ingress.config.WEBHOOK_DEDUPE_TTL_SECONDS,
    );
    for (let i = 0; i < 120; i++) await trace.record(['TRACE-TTL'], 'crm-attempt', { attempt: i });
    expect(await ingress.redis.llen(key)).toBe(100);
    expect(await ingress.redis.ttl(key)).toBeGreaterThan(ingress.config.WEBHOOK_DEDUPE_TTL_SECONDS - 5);
    // Hours of retries drop the middle, never the head: when and where it arrived still answers.
    const entries = await trace.read('TRACE-TTL');
    expect(entries[0]).toMatchObject({ stage: 'received', route: '/webhooks/evolution' });
    expect(entries.slice(1, 10).map((e) => e.attempt)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(entries.at(-1)?.attempt).toBe(119);
    const res = await ingress.app.inject({ url: '/api/trace/TRACE-TTL', headers: bearer });
    expect(res.json().received).toEqual(expect.any(String));
  });

  it('says what a message waits for while it waits; one entry per wait however often it is held', async () => {
    const trace = createMessageTrace(ingress.redis, ingress.config.QUEUE_PREFIX, 60);
    const held = { jobId: 'wa-msg|sales-01|TRACE-WAIT', waitReason: 'breaker-open', api: 'supercrm' };
    for (let i = 0; i < 5; i++) await trace.record(['TRACE-WAIT'], 'waiting', held);
    const waiting = (await ingress.app.inject({ url: '/api/trace/TRACE-WAIT', headers: bearer })).json();
    expect(waiting).toMatchObject({ waiting: 'breaker-open', lastStage: 'waiting' });
    expect(waiting.entries).toEqual([expect.objectContaining({ ...held, times: 5, since: expect.any(String) })]);
    await trace.record(['TRACE-WAIT'], 'crm-done', { jobId: held.jobId, activityId: 'act_1' });
    const done = (await ingress.app.inject({ url: '/api/trace/TRACE-WAIT', headers: bearer })).json();
    expect(done.waiting).toBeUndefined();
    expect(done).toMatchObject({ activityId: 'act_1', lastStage: 'crm-done' });
  });

  it('traces WUZAPI messages by Info.ID', async () => {
    const res = await ingress.app.inject({
      url: '/webhooks/wuzapi',
      ...json(wuzapiJsonBody(wuzapiText({ id: 'TRACE-WUZ-1' })), { 'x-webhook-token': SECRETS.WUZAPI_WEBHOOK_TOKEN }),
    });
    expect(res.statusCode).toBe(202);
    const trace = await ingress.app.inject({ url: '/api/trace/TRACE-WUZ-1', headers: bearer });
    expect(trace.json()).toMatchObject({ jobIds: [res.json().id], entries: [{ stage: 'received', source: 'wuzapi' }] });
  });

  it('logs the job id it queued, never the message text', async () => {
    const { logger, lines } = capturingLogger('info');
    const logged = await buildIngress({}, undefined, logger);
    try {
      const body = evolutionText({ id: 'TRACE-LOG-1', text: 'segredo do cliente' });
      const res = await logged.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
      const stored = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'webhook stored');
      expect(stored).toMatchObject({ jobId: res.json().id, outcome: 'queued', event: 'messages.upsert' });
      expect(lines.join('\n')).not.toContain('segredo');
    } finally {
      await logged.close();
    }
  });

  it('is 404 for an id never seen, 400 for an id that cannot be one, 401 without the API token', async () => {
    const unseen = await ingress.app.inject({ url: '/api/trace/NEVER-SEEN', headers: bearer });
    expect(unseen.statusCode).toBe(404);
    expect(unseen.json()).toMatchObject({ error: 'not_found' });
    const bad = await ingress.app.inject({ url: '/api/trace/a%20b', headers: bearer });
    expect(bad.statusCode).toBe(400);
    const anonymous = await ingress.app.inject({ url: '/api/trace/NEVER-SEEN' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers presence updates `ignored` without queuing them, unless WEBHOOK_QUEUE_PRESENCE is set', async () => {
    const res = await ingress.app.inject({ url: '/webhooks/evolution', ...json(evolutionPresence(), evolutionAuth) });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'ignored' });
    expect(await ingress.storedEvents()).toEqual([]);
    const asked = await buildIngress({ WEBHOOK_QUEUE_PRESENCE: 'true' });
    try {
      const queued = await asked.app.inject({
        url: '/webhooks/evolution',
        ...json(evolutionPresence(), evolutionAuth),
      });
      expect(queued.json()).toMatchObject({ status: 'queued' });
    } finally {
      await asked.close();
    }
  });
});
