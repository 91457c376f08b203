import type { RedisClient } from '@zaprelay/core';
import { createMessageTrace, QUEUES, storeOnce, webhookEventJobSchema, wuzapiDedupeKey } from '@zaprelay/core';
import { createWuzapiDouble, evolutionText, goTime, type WuzapiDouble, waitFor, wuzapiText } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerRuntime } from '../src/runtime.js';
import { runBackfill, storeEvolutionWebhook } from './reconcile-helpers.js';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

const HOUR = 3600_000;
const now = Date.now();
const secondsAgo = (ms: number) => Math.floor((now - ms) / 1000);
const webhookDeps = (runtime: WorkerRuntime, redis: RedisClient, prefix: string) => ({
  queue: runtime.queues[QUEUES.events],
  redis,
  prefix,
});

describe('reconciliation from Evolution’s store', () => {
  let harness: RuntimeHarness;
  beforeAll(async () => {
    harness = await createRuntimeHarness(
      { EVOLUTION_MONITORING_ENABLED: 'false', RECONCILE_INTERVAL_MS: '0', EVOLUTION_INSTANCES: 'sales-01' },
      { max: 10_000, windowMs: 60_000 },
    );
    harness.evolution.addInstance('sales-01', 'open');
  });
  afterAll(() => harness.close());

  it('queues only what never arrived, each message once on its contact, and a second run finds all known', async () => {
    const { runtime, connection } = await harness.startWorker();
    const messages = [
      { id: 'REC-1', phone: '5511900000001', at: secondsAgo(5 * HOUR), text: 'primeira' },
      { id: 'REC-2', phone: '5511900000002', at: secondsAgo(4 * HOUR), text: 'segunda' },
      { id: 'REC-3', phone: '5511900000001', at: secondsAgo(3 * HOUR), text: 'terceira' },
      { id: 'REC-4', phone: '5511900000002', at: secondsAgo(2 * HOUR), text: 'quarta' },
      { id: 'REC-5', phone: '5511900000001', at: secondsAgo(1 * HOUR), text: 'quinta' },
    ];
    const bodies = messages.map((m) =>
      evolutionText({ id: m.id, phone: m.phone, text: m.text, timestamp: m.at, pushName: `P${m.phone.slice(-1)}` }),
    );
    for (const body of bodies) harness.evolution.storeMessage('sales-01', body.data);
    // Two of them also came as webhooks.
    await storeEvolutionWebhook(
      webhookDeps(runtime, connection, harness.config.QUEUE_PREFIX),
      bodies[1] as (typeof bodies)[1],
    );
    await storeEvolutionWebhook(
      webhookDeps(runtime, connection, harness.config.QUEUE_PREFIX),
      bodies[3] as (typeof bodies)[3],
    );

    const backfill = runtime.queues[QUEUES.backfill];
    const first = await runBackfill(backfill, {
      instance: 'sales-01',
      gateway: 'evolution',
      since: now - 6 * HOUR,
      until: now,
    });
    expect(first).toMatchObject({ read: 5, known: 2, queued: 3, skipped: 0, windows: { done: 24, total: 24 } });

    await waitFor('5 activities', () => harness.crm.activities().length >= 5, 30_000, 50);
    await waitFor('events and CRM idle', async () => {
      const counts = await Promise.all(
        [runtime.queues.events, runtime.queues.crm].map((q) => q.getJobCounts('waiting', 'active', 'delayed')),
      );
      return counts.every((c) => (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0);
    });
    const activities = harness.crm.activities();
    expect(activities.map((a) => a.metadata.message_id).sort()).toEqual(messages.map((m) => m.id));
    for (const m of messages) {
      const activity = activities.find((a) => a.metadata.message_id === m.id);
      const contact = harness.crm.contacts().find((c) => c.id === activity?.contact_id);
      expect(contact?.phone, m.id).toBe(`+${m.phone}`);
      expect(Date.parse(String(activity?.timestamp))).toBe(m.at * 1000);
    }
    expect(harness.crm.contacts()).toHaveLength(2);

    // Every request bounded: both ends of the time filter, pages of at most 50.
    const finds = harness.evolution.requests.filter((r) => r.path.startsWith('/chat/findMessages/'));
    expect(finds).toHaveLength(24);
    for (const r of finds) {
      const body = r.body as { where: { messageTimestamp: { gte: string; lte: string } }; offset: number };
      expect(body.where.messageTimestamp.gte).toBeTruthy();
      expect(body.where.messageTimestamp.lte).toBeTruthy();
      expect(body.offset).toBeLessThanOrEqual(50);
    }

    const second = await runBackfill(backfill, {
      instance: 'sales-01',
      gateway: 'evolution',
      since: now - 6 * HOUR,
      until: now,
    });
    expect(second).toMatchObject({ read: 5, known: 5, queued: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(harness.crm.activities()).toHaveLength(5);
  });

  it('reads every page of a busy window', async () => {
    const { runtime } = await harness.startWorker();
    const at = secondsAgo(30 * 60 * 1000);
    for (let n = 0; n < 120; n++) {
      harness.evolution.storeMessage(
        'sales-01',
        evolutionText({ id: `BUSY-${n}`, phone: '5511900000009', timestamp: at + (n % 60) }).data,
      );
    }
    const result = await runBackfill(runtime.queues[QUEUES.backfill], {
      instance: 'sales-01',
      gateway: 'evolution',
      since: (at - 60) * 1000,
      until: (at + 120) * 1000,
    });
    expect(result).toMatchObject({ read: 120, queued: 120, known: 0 });
  });
});

describe('reconciliation from WUZAPI’s chat history', () => {
  let harness: RuntimeHarness;
  let wuzapi: WuzapiDouble;
  beforeAll(async () => {
    wuzapi = createWuzapiDouble({ users: { 'tok-loja': 'loja-centro' } });
    harness = await createRuntimeHarness(
      {
        EVOLUTION_MONITORING_ENABLED: 'false',
        RECONCILE_INTERVAL_MS: '0',
        WUZAPI_API_URL: await wuzapi.listen(),
        WUZAPI_USER_TOKENS: 'loja-centro:tok-loja',
      },
      { max: 10_000, windowMs: 60_000 },
    );
  });
  afterAll(async () => {
    await harness.close();
    await wuzapi.close();
  });

  it('says so when history is off, and queues the missing rows of seen chats when it is on', async () => {
    const { runtime, connection } = await harness.startWorker();
    const chat = '5511911112222@s.whatsapp.net';
    // A webhook seen for this chat (the events worker remembers the chat).
    const seen = wuzapiText({ id: 'WZ-SEEN', phone: '5511911112222', timestamp: new Date(now - HOUR) });
    await storeOnce(
      {
        queue: runtime.queues[QUEUES.events],
        redis: connection,
        prefix: harness.config.QUEUE_PREFIX,
        ttlSeconds: 86_400,
      },
      webhookEventJobSchema.parse({
        source: 'wuzapi',
        event: 'Message',
        // WUZAPI's spelling of the user differs from WUZAPI_USER_TOKENS': still the one instance.
        instance: 'Loja-Centro',
        receivedAt: Date.now(),
        payload: { jsonData: seen, instanceName: 'Loja-Centro' },
      }),
      wuzapiDedupeKey('Message', 'Loja-Centro', seen) as string,
    );
    // A user nobody configured: its chats are not remembered (any name a webhook carries would grow Redis).
    const stranger = wuzapiText({ id: 'WZ-STRANGER', phone: '5511911113333', timestamp: new Date(now - HOUR) });
    await runtime.queues[QUEUES.events].add(
      'e',
      webhookEventJobSchema.parse({
        source: 'wuzapi',
        event: 'Message',
        instance: 'random-0042',
        receivedAt: Date.now(),
        payload: { jsonData: stranger, instanceName: 'random-0042' },
      }),
    );
    await waitFor('the seen activity', () => harness.crm.activities().length === 2, 30_000, 50);
    expect(await connection.exists(`${harness.config.QUEUE_PREFIX}:seen-chats:wuzapi:random-0042`)).toBe(0);
    expect(await connection.pttl(`${harness.config.QUEUE_PREFIX}:seen-chats:wuzapi:loja-centro`)).toBeGreaterThan(0);

    const backfill = runtime.queues[QUEUES.backfill];
    const range = {
      instance: 'loja-centro',
      gateway: 'wuzapi' as const,
      since: now - 6 * HOUR,
      until: Date.now() + 1000,
    };
    const off = await runBackfill(backfill, range);
    expect(off).toMatchObject({ read: 0, queued: 0, historyAvailable: false, chats: { done: 0, total: 1 } });
    expect(off.notes.join(' ')).toMatch(/no message history.*501/);

    wuzapi.history.setHistory('loja-centro', 100);
    const row = (id: string, text: string, sender = chat) => ({
      chat_jid: chat,
      sender_jid: sender,
      message_id: id,
      message_type: 'text',
      text_content: text,
      media_link: '',
      timestamp: goTime(now - HOUR / 2),
    });
    wuzapi.history.store('loja-centro', row('WZ-SEEN', 'já chegou'));
    wuzapi.history.store('loja-centro', row('WZ-LOST-1', 'perdida'));
    wuzapi.history.store('loja-centro', row('WZ-LOST-2', 'resposta nossa', 'me'));
    const on = await runBackfill(backfill, { ...range, until: Date.now() + 1000 });
    expect(on).toMatchObject({ read: 3, known: 1, queued: 2, historyAvailable: true, chats: { done: 1, total: 1 } });
    await waitFor('4 activities', () => harness.crm.activities().length === 4, 30_000, 50);
    const lost = harness.crm.activities().filter((a) => String(a.metadata.message_id).startsWith('WZ-LOST'));
    expect(lost.map((a) => [a.metadata.message_id, a.direction]).sort()).toEqual([
      ['WZ-LOST-1', 'inbound'],
      ['WZ-LOST-2', 'outbound'],
    ]);
    const contact = harness.crm.contacts().find((c) => c.phone === '+5511911112222');
    expect(lost.every((a) => a.contact_id === contact?.id)).toBe(true);
    // Its trace says it came from reconciliation, not a webhook; the one that came by webhook is not re-received.
    const trace = createMessageTrace(connection, harness.config.QUEUE_PREFIX, 60);
    await waitFor('the done entry', async () => (await trace.read('WZ-LOST-1')).at(-1)?.stage === 'crm-done');
    expect((await trace.read('WZ-LOST-1'))[0]).toMatchObject({
      stage: 'received',
      route: 'reconcile',
      source: 'wuzapi',
      instance: 'loja-centro',
      jobId: expect.any(String),
    });
    expect((await trace.read('WZ-SEEN')).filter((e) => e.stage === 'received')).toEqual([]);
  });
});
