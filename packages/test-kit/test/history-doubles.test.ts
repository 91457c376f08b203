import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvolutionDouble, createWuzapiDouble, type EvolutionDouble, type WuzapiDouble } from '../src/index.js';

const T0 = Math.floor(Date.parse('2026-11-30T10:00:00Z') / 1000);
const message = (n: number, fromMe = false) => ({
  key: { id: `MSG-${n}`, remoteJid: '5511987650001@s.whatsapp.net', fromMe },
  pushName: 'Ana',
  message: { conversation: `texto ${n}` },
  messageType: 'conversation',
  messageTimestamp: T0 + n * 60,
});

describe('Evolution double: findMessages with Evolution v2.3 quirks', () => {
  let double: EvolutionDouble;
  const find = async (body: object) => {
    const res = await fetch(`${double.url}/chat/findMessages/main`, {
      method: 'POST',
      headers: { apikey: 'k', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        messages: { total: number; pages: number; records: Array<{ key: { id: string } }> };
      },
    };
  };
  const ids = (r: Awaited<ReturnType<typeof find>>) => r.body.messages.records.map((m) => m.key.id);

  beforeAll(async () => {
    double = createEvolutionDouble({ apiKey: 'k', instances: { main: 'open' } });
    await double.listen();
    for (let n = 0; n < 7; n++) double.storeMessage('main', message(n, n % 2 === 1));
  });
  afterAll(() => double.close());

  it('filters by time only when both gte and lte are given, read as ISO or epoch milliseconds', async () => {
    const gte = new Date((T0 + 120) * 1000);
    const lte = new Date((T0 + 240) * 1000);
    expect(
      ids(await find({ where: { messageTimestamp: { gte: gte.toISOString(), lte: lte.toISOString() } } })),
    ).toEqual(['MSG-4', 'MSG-3', 'MSG-2']);
    expect(ids(await find({ where: { messageTimestamp: { gte: gte.getTime(), lte: lte.getTime() } } }))).toEqual([
      'MSG-4',
      'MSG-3',
      'MSG-2',
    ]);
    // Only one end: no time filter at all.
    expect((await find({ where: { messageTimestamp: { gte: gte.toISOString() } } })).body.messages.total).toBe(7);
    // Epoch seconds are read as milliseconds: a window in January 1970.
    expect((await find({ where: { messageTimestamp: { gte: T0 + 120, lte: T0 + 240 } } })).body.messages.total).toBe(0);
  });

  it('pages newest first with offset as the page size, and ignores fromMe: false', async () => {
    const first = await find({ page: 1, offset: 3 });
    expect(first.body.messages).toMatchObject({ total: 7, pages: 3 });
    expect(ids(first)).toEqual(['MSG-6', 'MSG-5', 'MSG-4']);
    expect(ids(await find({ page: 3, offset: 3 }))).toEqual(['MSG-0']);
    expect((await find({ where: { key: { fromMe: false } } })).body.messages.total).toBe(7);
    expect((await find({ where: { key: { fromMe: true } } })).body.messages.total).toBe(3);
  });
});

describe('WUZAPI double: /chat/history', () => {
  let double: WuzapiDouble;
  const history = async (token: string, chat: string, limit = 50) => {
    const res = await fetch(`${double.url}/chat/history?chat_jid=${encodeURIComponent(chat)}&limit=${limit}`, {
      headers: { token },
    });
    return { status: res.status, body: (await res.json()) as { data?: Array<{ message_id: string }> } };
  };

  beforeAll(async () => {
    double = createWuzapiDouble({ users: { 'tok-a': 'loja-a', 'tok-b': 'loja-b' } });
    await double.listen();
  });
  afterAll(() => double.close());

  it('answers 501 while history is off for the user, and keeps nothing meanwhile', async () => {
    const row = {
      chat_jid: '5511987650001@s.whatsapp.net',
      sender_jid: '5511987650001@s.whatsapp.net',
      message_type: 'text',
      text_content: 'oi',
      media_link: '',
    };
    double.history.store('loja-b', { ...row, message_id: 'B-0' });
    expect((await history('tok-b', row.chat_jid)).status).toBe(501);
    double.history.setHistory('loja-b', 10);
    expect(await history('tok-b', row.chat_jid)).toEqual({ status: 200, body: { code: 200, data: [], success: true } });
  });

  it('returns a chat’s newest rows up to limit, trimmed to the kept count per chat', async () => {
    double.history.setHistory('loja-a', 3);
    const chat = '5511987650002@s.whatsapp.net';
    for (let n = 0; n < 5; n++) {
      double.history.store('loja-a', {
        chat_jid: chat,
        sender_jid: chat,
        message_id: `A-${n}`,
        message_type: 'text',
        text_content: `m${n}`,
        media_link: '',
      });
    }
    double.history.store('loja-a', {
      chat_jid: 'other@s.whatsapp.net',
      sender_jid: 'x',
      message_id: 'X',
      message_type: 'text',
      text_content: '',
      media_link: '',
    });
    expect((await history('tok-a', chat)).body.data?.map((r) => r.message_id)).toEqual(['A-4', 'A-3', 'A-2']);
    expect((await history('tok-a', chat, 2)).body.data?.map((r) => r.message_id)).toEqual(['A-4', 'A-3']);
  });
});
