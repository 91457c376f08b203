/**
 * One behavioural contract, run over every gateway adapter (and every WUZAPI
 * wire format): whatever the gateway's spelling, the same WhatsApp event must
 * come out as the same internal event.
 */
import { internalMessageSchema, messageActivityKey, type WebhookEventJob } from '@zaprelay/core';
import {
  evolutionConnection,
  evolutionEdit,
  evolutionGroupText,
  evolutionImage,
  evolutionLidText,
  evolutionMessageDelete,
  evolutionMessageStatus,
  evolutionOutboundUpsert,
  evolutionPresence,
  evolutionRevoke,
  evolutionStatusBroadcast,
  evolutionText,
  FIXTURE_DEFAULTS,
  wuzapiConnected,
  wuzapiDisconnected,
  wuzapiEdit,
  wuzapiFromMe,
  wuzapiGroupText,
  wuzapiImage,
  wuzapiLidText,
  wuzapiReadReceipt,
  wuzapiRevoke,
  wuzapiText,
} from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import {
  applyGroupPolicy,
  createEvolutionAdapter,
  createWuzapiAdapter,
  describeMessage,
  type GatewayAdapter,
  InvalidPayloadError,
  type NormalisedEvent,
  normalisedEventSchema,
} from '../src/index.js';
import { evolutionJob, RECEIVED_AT, type WuzapiWire, wuzapiJob } from './jobs.js';

interface MessageArgs {
  id: string;
  phone: string;
  text?: string;
  pushName?: string;
}

/** Per-adapter table: how to say each contract case in that gateway's words. */
interface ContractFixtures {
  name: string;
  adapter: GatewayAdapter;
  instance: string;
  /** WUZAPI's legacy form carries the user's token; it must reach the message. */
  userToken?: string;
  textIn(a: MessageArgs): WebhookEventJob;
  /** Our own message; the gateway's pushName on it is our placeholder, 'Você'. */
  textOut(a: MessageArgs): WebhookEventJob;
  imageWithCaption(a: MessageArgs & { caption: string; base64: string }): WebhookEventJob;
  groupText(a: MessageArgs & { fromMe?: boolean }): WebhookEventJob;
  statusBroadcast(a: MessageArgs): WebhookEventJob;
  lidText(a: MessageArgs & { withPhone: boolean }): WebhookEventJob;
  readStatus(a: { id: string }): WebhookEventJob;
  /** A text the gateway dates at `ms` (epoch milliseconds), in its own spelling. */
  textAt(a: MessageArgs, ms: number): WebhookEventJob;
  edit(a: MessageArgs & { originalId: string; text: string }): WebhookEventJob;
  /** Deleted for everyone, as a protocol message in the message stream. */
  revoke(a: MessageArgs & { originalId: string }): WebhookEventJob;
  connection(state: 'open' | 'close'): WebhookEventJob;
  unhandled(): WebhookEventJob;
  /** Payloads that are not this gateway's format at all. */
  garbage: unknown[];
}

const evolution: ContractFixtures = {
  name: 'evolution',
  adapter: createEvolutionAdapter(),
  instance: 'sales-01',
  textIn: (a) => evolutionJob(evolutionText(a)),
  textOut: (a) => evolutionJob(evolutionOutboundUpsert({ ...a, pushName: 'Você' })),
  imageWithCaption: (a) => evolutionJob(evolutionImage(a)),
  groupText: (a) => evolutionJob(evolutionGroupText(a.fromMe ? { ...a, key: { participant: undefined } } : a)),
  statusBroadcast: (a) => evolutionJob(evolutionStatusBroadcast({ ...a, caption: a.text })),
  lidText: (a) => evolutionJob(evolutionLidText(a)),
  readStatus: (a) => evolutionJob(evolutionMessageStatus({ id: a.id, status: 'READ' })),
  textAt: (a, ms) => evolutionJob(evolutionText({ ...a, timestamp: ms % 1000 === 0 ? ms / 1000 : ms })),
  edit: (a) => evolutionJob(evolutionEdit(a)),
  revoke: (a) => evolutionJob(evolutionRevoke(a)),
  connection: (state) => evolutionJob(evolutionConnection({ state })),
  unhandled: () => evolutionJob(evolutionPresence()),
  garbage: [
    null,
    'messages.upsert',
    42,
    [],
    {},
    { event: 'messages.upsert', instance: 'sales-01', data: null },
    { event: 'messages.upsert', instance: 'sales-01', data: { key: { remoteJid: 5, id: '' } } },
    { event: 'messages.upsert', instance: 'sales-01', data: [] },
    { event: 'messages.update', instance: 'sales-01', data: { status: 'READ' } },
    { event: 'connection.update', instance: 'sales-01', data: { state: 'exploded' } },
  ],
};

function wuzapiFixtures(wire: WuzapiWire): ContractFixtures {
  const job = (d: Parameters<typeof wuzapiJob>[0]) => wuzapiJob(d, wire);
  const m = (a: MessageArgs) => ({ id: a.id, phone: a.phone, text: a.text, pushName: a.pushName });
  return {
    name: `wuzapi (${wire})`,
    adapter: createWuzapiAdapter(),
    instance: wire === 'legacy-form' ? 'user-token-1' : 'wuz-sales',
    ...(wire === 'legacy-form' ? { userToken: 'user-token-1' } : {}),
    textIn: (a) => job(wuzapiText(m(a))),
    textOut: (a) => job(wuzapiFromMe({ ...m(a), pushName: 'Você' })),
    imageWithCaption: (a) => job(wuzapiImage({ ...m(a), caption: a.caption, base64: a.base64 })),
    groupText: (a) => job(wuzapiGroupText({ ...m(a), isFromMe: a.fromMe })),
    statusBroadcast: (a) => job(wuzapiImage({ ...m(a), chat: 'status@broadcast', caption: a.text, base64: null })),
    lidText: (a) => job(wuzapiLidText({ ...m(a), withPhone: a.withPhone })),
    readStatus: (a) => job(wuzapiReadReceipt({ ids: [a.id], state: 'Read' })),
    textAt: (a, ms) => job(wuzapiText({ ...m(a), timestamp: goTimeMs(ms) })),
    edit: (a) => job(wuzapiEdit({ ...m(a), originalId: a.originalId, text: a.text })),
    revoke: (a) => job(wuzapiRevoke({ ...m(a), originalId: a.originalId })),
    connection: (state) => job(state === 'open' ? wuzapiConnected() : wuzapiDisconnected()),
    unhandled: () => job({ event: { Chat: '5511987654321@s.whatsapp.net', State: 'composing' }, type: 'ChatPresence' }),
    garbage: [
      null,
      'jsonData=%7B',
      42,
      [],
      {},
      { jsonData: '{not json' },
      { jsonData: { event: {} } },
      { jsonData: { type: 'Message', event: { Info: { Chat: '5511987654321@s.whatsapp.net' } } } },
      { type: 'Message', event: null },
      { type: 'ReadReceipt', state: 'Read', event: { MessageIDs: [] } },
    ],
  };
}

const TABLE: ContractFixtures[] = [
  evolution,
  wuzapiFixtures('form'),
  wuzapiFixtures('form-raw-jsondata'),
  wuzapiFixtures('json'),
  wuzapiFixtures('legacy-form'),
];

const PHONE = '+5511987654321';

/** Go's RFC 3339 with milliseconds, in São Paulo's offset as WUZAPI's host would write it. */
function goTimeMs(ms: number): string {
  return `${new Date(ms - 3 * 3600_000).toISOString().replace('Z', '')}-03:00`;
}
const FIXTURE_ISO = new Date(FIXTURE_DEFAULTS.timestamp * 1000).toISOString();

/** Deep copy with every gateway time nulled, also inside a still-stringified `jsonData`. */
function withoutTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimes);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      if (['messageTimestamp', 'Timestamp', 'date_time'].includes(k)) return [k, null];
      if (k === 'jsonData' && typeof v === 'string') return [k, JSON.stringify(withoutTimes(JSON.parse(v)))];
      return [k, withoutTimes(v)];
    }),
  );
}

/** Runs the adapter and checks the part of the contract every call shares. */
function run(f: ContractFixtures, job: WebhookEventJob): NormalisedEvent[] {
  const events = f.adapter.normalise(job);
  expect(events.length).toBeGreaterThan(0);
  for (const e of events) expect(normalisedEventSchema.parse(e)).toEqual(e);
  return events;
}

function onlyMessage(events: NormalisedEvent[]) {
  expect(events).toHaveLength(1);
  const [e] = events;
  if (e?.type !== 'message') throw new Error(`expected a message, got ${JSON.stringify(e)}`);
  return internalMessageSchema.parse(e.message);
}

describe.each(TABLE)('gateway adapter contract: $name', (f) => {
  it('turns an inbound text into one inbound message with phone, name and time', () => {
    const m = onlyMessage(run(f, f.textIn({ id: 'IN-1', phone: PHONE, text: 'Olá, tudo bem?', pushName: 'Ana Lima' })));
    expect(m).toEqual({
      source: f.adapter.source,
      instance: f.instance,
      messageId: 'IN-1',
      chatJid: '5511987654321@s.whatsapp.net',
      phone: PHONE,
      contactName: 'Ana Lima',
      direction: 'inbound',
      kind: 'text',
      text: 'Olá, tudo bem?',
      timestamp: FIXTURE_ISO,
      receivedAt: RECEIVED_AT,
      isGroup: false,
      ...(f.userToken ? { userToken: f.userToken } : {}),
    });
    expect(describeMessage(m)).toBe('Olá, tudo bem?');
  });

  it('turns our own text into an outbound message on the other party, without our placeholder name', () => {
    const m = onlyMessage(run(f, f.textOut({ id: 'OUT-1', phone: PHONE, text: 'Seu pedido saiu' })));
    expect(m).toMatchObject({
      messageId: 'OUT-1',
      phone: PHONE,
      direction: 'outbound',
      kind: 'text',
      text: 'Seu pedido saiu',
    });
    expect(m.contactName).toBeUndefined();
    expect(messageActivityKey(m)).toBe(`wa-msg:${f.instance}:OUT-1`);
  });

  it('turns an image with caption into kind image, caption as text, inline media left behind', () => {
    const base64 = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=';
    const events = run(f, f.imageWithCaption({ id: 'IMG-1', phone: PHONE, caption: 'Nota fiscal', base64 }));
    const m = onlyMessage(events);
    expect(m).toMatchObject({ kind: 'image', text: 'Nota fiscal', direction: 'inbound', phone: PHONE });
    expect(describeMessage(m)).toBe('[image] Nota fiscal');
    expect(JSON.stringify(events)).not.toContain(base64);
  });

  it('returns a group message on its author, for the caller to sync or skip', () => {
    const event = run(f, f.groupText({ id: 'GRP-1', phone: PHONE, text: 'bom dia grupo', pushName: 'Ana Lima' }));
    const m = onlyMessage(event);
    expect(m).toMatchObject({
      isGroup: true,
      chatJid: FIXTURE_DEFAULTS.groupJid,
      phone: PHONE,
      contactName: 'Ana Lima',
    });
    const [e] = event as [NormalisedEvent];
    expect(applyGroupPolicy(e, { syncGroups: true })).toBe(e);
    expect(applyGroupPolicy(e, { syncGroups: false })).toEqual({
      type: 'skipped',
      source: f.adapter.source,
      instance: f.instance,
      event: 'message',
      reason: 'group',
      messageId: 'GRP-1',
      chatJid: FIXTURE_DEFAULTS.groupJid,
    });
  });

  it('skips our own group message: there is no single other party (never our own number)', () => {
    const [e] = run(f, f.groupText({ id: 'GRP-OUT', phone: PHONE, text: 'oi', fromMe: true }));
    expect(e).toMatchObject({ type: 'skipped', reason: 'no-phone', messageId: 'GRP-OUT' });
  });

  it('treats a status broadcast like a group: isGroup, and skipped as status-broadcast when groups are off', () => {
    const [e] = run(f, f.statusBroadcast({ id: 'ST-1', phone: PHONE, text: 'promo' }));
    expect(e).toMatchObject({ type: 'message', message: { isGroup: true, chatJid: 'status@broadcast', phone: PHONE } });
    expect(applyGroupPolicy(e as NormalisedEvent, { syncGroups: false })).toMatchObject({
      type: 'skipped',
      reason: 'status-broadcast',
      messageId: 'ST-1',
    });
  });

  it('finds the phone of an @lid chat in its alternative JID', () => {
    const m = onlyMessage(run(f, f.lidText({ id: 'LID-1', phone: PHONE, text: 'oi', withPhone: true })));
    expect(m).toMatchObject({ chatJid: FIXTURE_DEFAULTS.lid, phone: PHONE, direction: 'inbound', isGroup: false });
  });

  it('hands over an @lid message whose phone it cannot know, for the worker to resolve (never a silent skip)', () => {
    const events = run(f, f.lidText({ id: 'LID-2', phone: PHONE, text: 'oi', withPhone: false }));
    expect(events).toEqual([
      {
        type: 'lid-message',
        lid: FIXTURE_DEFAULTS.lid,
        message: expect.objectContaining({ messageId: 'LID-2', chatJid: FIXTURE_DEFAULTS.lid, text: 'oi' }),
      },
    ]);
    expect(events[0]).not.toHaveProperty('message.phone');
  });

  it('turns a read receipt into a message-status on the WhatsApp message id', () => {
    const events = run(f, f.readStatus({ id: 'OUT-1' }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'message-status',
      source: f.adapter.source,
      instance: f.instance,
      messageId: 'OUT-1',
      status: 'read',
    });
  });

  it.each(['open', 'close'] as const)('reports connection %s', (state) => {
    const events = run(f, f.connection(state));
    expect(events).toEqual([expect.objectContaining({ type: 'connection', instance: f.instance, state })]);
  });

  it('ignores event types it has no work for, by name', () => {
    const events = run(f, f.unhandled());
    expect(events).toEqual([expect.objectContaining({ type: 'ignored', reason: 'unhandled-event' })]);
  });

  it('answers garbage with InvalidPayloadError only, never another exception', () => {
    const base = f.textIn({ id: 'X', phone: PHONE });
    for (const payload of f.garbage) {
      let thrown: unknown;
      try {
        f.adapter.normalise({ ...base, payload });
      } catch (err) {
        thrown = err;
      }
      expect(thrown, JSON.stringify(payload)).toBeInstanceOf(InvalidPayloadError);
      expect((thrown as InvalidPayloadError).issues.length).toBeGreaterThan(0);
    }
  });

  it('is not fooled by prototype keys, and does not pollute Object.prototype', () => {
    const job = f.textIn({ id: 'PROTO-1', phone: PHONE, text: 'oi' });
    const raw = JSON.stringify(job.payload).replace(/^\{/, '{"__proto__":{"polluted":true},"constructor":{"x":1},');
    const m = onlyMessage(run(f, { ...job, payload: JSON.parse(raw) }));
    expect(m.messageId).toBe('PROTO-1');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a job meant for another source', () => {
    const job = f.textIn({ id: 'X', phone: PHONE });
    const other = job.source === 'evolution' ? 'wuzapi' : 'evolution';
    expect(() => f.adapter.normalise({ ...job, source: other })).toThrow(InvalidPayloadError);
  });

  it('falls back to the time the event was received when the gateway gave none', () => {
    const job = f.textIn({ id: 'T-1', phone: PHONE });
    const m = onlyMessage(run(f, { ...job, payload: withoutTimes(job.payload) }));
    expect(m.timestamp).toBe(new Date(RECEIVED_AT).toISOString());
  });

  it('keeps the milliseconds the gateway gives, as ISO-8601 UTC', () => {
    const at = Date.parse('2026-11-22T14:03:11.250Z');
    const m = onlyMessage(run(f, f.textAt({ id: 'MS-1', phone: PHONE }, at)));
    expect(m.timestamp).toBe('2026-11-22T14:03:11.250Z');
    expect(m.gatewayTimestamp).toBeUndefined();
  });

  it.each([
    ['before 2009', Date.parse('2001-09-09T01:46:40.000Z')],
    ['over a day ahead of receipt', RECEIVED_AT + 25 * 3600_000],
  ])('replaces a timestamp %s by the time of receipt, and keeps the gateway value', (_, at) => {
    const m = onlyMessage(run(f, f.textAt({ id: 'TS-BAD', phone: PHONE }, at)));
    expect(m.timestamp).toBe(new Date(RECEIVED_AT).toISOString());
    expect(m.gatewayTimestamp).toBe(new Date(at).toISOString());
  });

  it('accepts a gateway clock a little ahead of ours', () => {
    const at = RECEIVED_AT + 3600_000;
    expect(onlyMessage(run(f, f.textAt({ id: 'TS-OK', phone: PHONE }, at))).timestamp).toBe(new Date(at).toISOString());
  });

  it('turns an edit into an [edited] message naming the original, one id per edit', () => {
    const m = onlyMessage(run(f, f.edit({ id: 'EDIT-1', originalId: 'ORIG-1', phone: PHONE, text: 'Olá, corrigido' })));
    expect(m).toMatchObject({
      phone: PHONE,
      direction: 'inbound',
      kind: 'text',
      text: 'Olá, corrigido',
      revision: { type: 'edited', originalMessageId: 'ORIG-1' },
    });
    expect(describeMessage(m)).toBe('[edited] Olá, corrigido');
    expect(m.messageId).toBe('ORIG-1:edited:EDIT-1');
  });

  it('turns a deletion for everyone into a [deleted] message whose id depends on the original only', () => {
    const m = onlyMessage(run(f, f.revoke({ id: 'REVOKE-1', originalId: 'ORIG-2', phone: PHONE })));
    expect(m).toMatchObject({ phone: PHONE, revision: { type: 'deleted', originalMessageId: 'ORIG-2' } });
    expect(describeMessage(m)).toBe('[deleted]');
    expect(m.messageId).toBe('ORIG-2:deleted');
  });
});

describe('Evolution deletions reported three ways are one message', () => {
  const adapter = createEvolutionAdapter();
  it('revoke upsert, messages.update DELETED and messages.delete give the same message', () => {
    const ways = [
      evolutionRevoke({ id: 'REVOKE-9', originalId: 'ORIG-9', phone: PHONE }),
      evolutionMessageStatus({ id: 'ORIG-9', phone: PHONE, fromMe: false, status: 'DELETED' }),
      evolutionMessageDelete({ id: 'ORIG-9', phone: PHONE }),
    ];
    const messages = ways.map((payload) => {
      const [e] = adapter.normalise(evolutionJob(payload));
      if (e?.type !== 'message') throw new Error(`expected a message, got ${JSON.stringify(e)}`);
      return e.message;
    });
    for (const m of messages) {
      expect(m).toMatchObject({ messageId: 'ORIG-9:deleted', phone: PHONE, direction: 'inbound' });
      expect(describeMessage(m)).toBe('[deleted]');
      expect(messageActivityKey(m)).toBe(messageActivityKey(messages[0] as typeof m));
    }
  });
});
