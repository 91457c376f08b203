import { messageActivityKey } from '@zaprelay/core';
import {
  evolutionAudio,
  evolutionConnection,
  evolutionContact,
  evolutionContactsUpdate,
  evolutionContactsUpsert,
  evolutionDocument,
  evolutionEnvelope,
  evolutionExtendedText,
  evolutionImage,
  evolutionLocation,
  evolutionMessageDelete,
  evolutionMessageStatus,
  evolutionOutboundUpsert,
  evolutionQrcode,
  evolutionReaction,
  evolutionSendMessage,
  evolutionSticker,
  evolutionText,
  evolutionVideo,
} from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import {
  canonicalEvolutionEvent,
  createEvolutionAdapter,
  describeMessage,
  type NormalisedEvent,
  normalisedEventSchema,
} from '../src/index.js';
import { evolutionJob } from './jobs.js';

const adapter = createEvolutionAdapter();

function normalise(envelope: Parameters<typeof evolutionJob>[0]): NormalisedEvent[] {
  const events = adapter.normalise(evolutionJob(envelope));
  for (const e of events) normalisedEventSchema.parse(e);
  return events;
}

function message(envelope: Parameters<typeof evolutionJob>[0]) {
  const [e, ...rest] = normalise(envelope);
  expect(rest).toHaveLength(0);
  if (e?.type !== 'message') throw new Error(`expected a message, got ${JSON.stringify(e)}`);
  return e.message;
}

describe('evolution adapter: message content', () => {
  it.each([
    ['extendedTextMessage (older versions)', evolutionExtendedText({ text: 'veja o link' }), 'text', 'veja o link'],
    ['audio', evolutionAudio(), 'audio', '[audio]'],
    ['video with caption', evolutionVideo({ caption: 'demo' }), 'video', '[video] demo'],
    [
      'document (file name when no caption)',
      evolutionDocument({ fileName: 'contrato.pdf' }),
      'document',
      '[document] contrato.pdf',
    ],
    ['document with caption', evolutionDocument({ caption: 'assine' }), 'document', '[document] assine'],
    ['sticker', evolutionSticker(), 'sticker', '[sticker]'],
    ['named location', evolutionLocation({ name: 'Loja Centro' }), 'location', '[location] Loja Centro'],
    ['bare location', evolutionLocation({ latitude: -23.5, longitude: -46.6 }), 'location', '[location] -23.5,-46.6'],
    ['contact card', evolutionContact({ displayName: 'João Lima' }), 'contact', '[contact] João Lima'],
    ['reaction', evolutionReaction({ emoji: '❤️' }), 'reaction', '[reaction] ❤️'],
    ['image without caption', evolutionImage({ caption: '' }), 'image', '[image]'],
  ] as const)('%s', (_name, envelope, kind, description) => {
    const m = message(envelope);
    expect(m.kind).toBe(kind);
    expect(describeMessage(m)).toBe(description);
  });

  it('reads content inside ephemeral / view-once wrappers', () => {
    const e = evolutionText({ text: 'some em 24h' });
    e.data.message = { ephemeralMessage: { message: { extendedTextMessage: { text: 'some em 24h' } } } } as never;
    expect(message(e)).toMatchObject({ kind: 'text', text: 'some em 24h' });
  });

  it('skips protocol messages that are no edit or revoke, and key-distribution-only messages', () => {
    const revoke = evolutionText();
    revoke.data.message = { protocolMessage: { type: 'EPHEMERAL_SETTING', ephemeralExpiration: 86400 } } as never;
    const keysOnly = evolutionText();
    keysOnly.data.message = { senderKeyDistributionMessage: { groupId: 'g' }, messageContextInfo: {} } as never;
    expect(normalise(revoke)).toEqual([expect.objectContaining({ type: 'skipped', reason: 'protocol-message' })]);
    expect(normalise(keysOnly)).toEqual([expect.objectContaining({ type: 'skipped', reason: 'no-content' })]);
  });

  it('labels an unknown content type as other', () => {
    const poll = evolutionText();
    poll.data.message = { pollCreationMessageV3: { name: 'Melhor dia?', options: [] } } as never;
    expect(message(poll)).toMatchObject({ kind: 'other' });
  });

  it('keeps working when the ingress replaced inline base64 by a size note', () => {
    const e = evolutionImage({ caption: 'nota' });
    (e.data.message as Record<string, unknown>).base64 = { omitted: true, bytes: 20_000_000, mimetype: 'image/jpeg' };
    expect(message(e)).toMatchObject({ kind: 'image', text: 'nota' });
  });
});

describe('evolution adapter: envelope details', () => {
  it.each([
    ['number', 1_795_356_191],
    ['numeric string', '1795356191'],
    ['Long-like object', { low: 1_795_356_191, high: 0, unsigned: true }],
    ['milliseconds', 1_795_356_191_000],
  ] as const)('reads messageTimestamp as a %s', (_n, timestamp) => {
    expect(message(evolutionText({ timestamp })).timestamp).toBe('2026-11-22T14:03:11.000Z');
  });

  it('uses the envelope date_time when the message has no timestamp', () => {
    const e = evolutionText({ dateTime: '2026-11-22T11:03:12.345-03:00' });
    (e.data as Record<string, unknown>).messageTimestamp = undefined;
    expect(message(e).timestamp).toBe('2026-11-22T14:03:12.345Z');
  });

  it.each(['MESSAGES_UPSERT', 'messages-upsert', 'messages.upsert'])('accepts the event spelled %s', (spelling) => {
    const e = { ...evolutionText({ id: 'SP-1' }), event: spelling };
    expect(message(e).messageId).toBe('SP-1');
    expect(canonicalEvolutionEvent(spelling)).toBe('messages.upsert');
  });

  it('gives send.message and its messages.upsert echo the same activity key, both outbound', () => {
    const sent = message(evolutionSendMessage({ id: 'ECHO-1', phone: '+5511911112222' }));
    const echo = message(evolutionOutboundUpsert({ id: 'ECHO-1', phone: '+5511911112222' }));
    expect(sent.direction).toBe('outbound');
    expect(echo.direction).toBe('outbound');
    expect(messageActivityKey(sent)).toBe(messageActivityKey(echo));
    expect(sent.contactName).toBeUndefined();
  });

  it('handles every message of a data array', () => {
    const a = evolutionText({ id: 'A' });
    const b = evolutionText({ id: 'B' });
    const events = normalise({ ...a, data: [a.data, b.data] });
    expect(events.map((e) => (e.type === 'message' ? e.message.messageId : e.type))).toEqual(['A', 'B']);
  });

  it('finds a group author given as @lid through participantAlt', () => {
    const e = evolutionText({
      remoteJid: '120363041967849074@g.us',
      key: { participant: '998877665544332@lid', participantAlt: '5521912345678@s.whatsapp.net' },
    });
    expect(message(e)).toMatchObject({ isGroup: true, phone: '+5521912345678' });
  });

  it('skips a chat whose digits are no E.164 phone', () => {
    expect(normalise(evolutionText({ remoteJid: '123@s.whatsapp.net' }))).toEqual([
      expect.objectContaining({ type: 'skipped', reason: 'no-phone' }),
    ]);
  });

  it('skips newsletters and broadcast lists', () => {
    for (const remoteJid of ['120363025246125486@newsletter', '1795356191@broadcast']) {
      expect(normalise(evolutionText({ remoteJid }))).toEqual([
        expect.objectContaining({ type: 'skipped', reason: 'unsupported-chat' }),
      ]);
    }
  });
});

describe('evolution adapter: other events', () => {
  it.each([
    ['ERROR', 'failed'],
    ['PENDING', 'pending'],
    ['SERVER_ACK', 'sent'],
    ['DELIVERY_ACK', 'delivered'],
    ['READ', 'read'],
    ['PLAYED', 'played'],
  ] as const)('maps messages.update %s to %s, on keyId (not the database messageId)', (status, expected) => {
    const events = normalise(evolutionMessageStatus({ id: 'WA-1', messageId: 'db-row-9', status }));
    expect(events).toEqual([
      {
        type: 'message-status',
        source: 'evolution',
        instance: 'sales-01',
        messageId: 'WA-1',
        status: expected,
        chatJid: '5511987654321@s.whatsapp.net',
      },
    ]);
  });

  it('reads the v1 messages.update shape (key spread, numeric status)', () => {
    const v1 = evolutionEnvelope('messages.update', {
      remoteJid: '5511987654321@s.whatsapp.net',
      fromMe: true,
      id: 'WA-2',
      status: 4,
      datetime: 1_795_356_191_000,
      owner: 'sales-01',
    });
    expect(normalise(v1)).toEqual([
      expect.objectContaining({ type: 'message-status', messageId: 'WA-2', status: 'read' }),
    ]);
  });

  it('ignores a status update with a status it does not know', () => {
    const u = evolutionMessageStatus({ id: 'WA-3' });
    (u.data as Record<string, unknown>).status = 'SOMETHING_NEW';
    expect(normalise(u)).toEqual([expect.objectContaining({ type: 'ignored', reason: 'unknown-status' })]);
  });

  it('turns messages.delete into a [deleted] message on the original id (see the contract test)', () => {
    expect(normalise(evolutionMessageDelete({ id: 'DEL-1' }))).toEqual([
      expect.objectContaining({
        type: 'message',
        message: expect.objectContaining({
          messageId: 'DEL-1:deleted',
          revision: { type: 'deleted', originalMessageId: 'DEL-1' },
        }),
      }),
    ]);
  });

  it('keeps a deleted status without a chat a status: it names no contact', () => {
    const u = evolutionMessageStatus({ id: 'WA-1', status: 'DELETED' });
    delete (u.data as Record<string, unknown>).remoteJid;
    expect(normalise(u)).toEqual([
      expect.objectContaining({ type: 'message-status', messageId: 'WA-1', status: 'deleted' }),
    ]);
  });

  it('reads a date_time without a zone as UTC', () => {
    const e = evolutionText({ dateTime: '2026-11-22T14:03:11.500' });
    (e.data as Record<string, unknown>).messageTimestamp = null;
    const tz = process.env.TZ;
    process.env.TZ = 'America/Sao_Paulo'; // a host that is not on UTC
    try {
      expect(message(e).timestamp).toBe('2026-11-22T14:03:11.500Z');
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('turns contacts.upsert entries into contacts, skipping groups and phoneless @lid', () => {
    const events = normalise(
      evolutionContactsUpsert({
        contacts: [
          { phone: '+5511911112222', pushName: 'Bia' },
          { phone: '+5511933334444', pushName: null },
          { remoteJid: '120363041967849074@g.us', pushName: 'Grupo' },
          { remoteJid: '123456789012345@lid', pushName: 'Sem fone' },
        ],
      }),
    );
    expect(events).toEqual([
      { type: 'contact', source: 'evolution', instance: 'sales-01', phone: '+5511911112222', name: 'Bia' },
      { type: 'contact', source: 'evolution', instance: 'sales-01', phone: '+5511933334444' },
      expect.objectContaining({ type: 'skipped', reason: 'not-a-person', chatJid: '120363041967849074@g.us' }),
      expect.objectContaining({ type: 'skipped', reason: 'no-phone', chatJid: '123456789012345@lid' }),
    ]);
  });

  it('accepts contacts.update as an array or a single object', () => {
    const contacts = [{ phone: '+5511911112222', pushName: 'Bia Souza' }];
    const expected = [expect.objectContaining({ type: 'contact', phone: '+5511911112222', name: 'Bia Souza' })];
    expect(normalise(evolutionContactsUpdate({ contacts }))).toEqual(expected);
    expect(normalise(evolutionContactsUpdate({ contacts, single: true }))).toEqual(expected);
  });

  it('keeps the close reason of connection.update', () => {
    expect(normalise(evolutionConnection({ state: 'close', statusReason: 428 }))).toEqual([
      { type: 'connection', source: 'evolution', instance: 'sales-01', state: 'close', reason: '428' },
    ]);
  });

  it('ignores qrcode.updated', () => {
    expect(normalise(evolutionQrcode())).toEqual([
      {
        type: 'ignored',
        source: 'evolution',
        instance: 'sales-01',
        event: 'qrcode.updated',
        reason: 'unhandled-event',
      },
    ]);
  });
});
