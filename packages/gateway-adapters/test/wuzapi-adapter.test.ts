import {
  wuzapiExtendedText,
  wuzapiFromMe,
  wuzapiImage,
  wuzapiLidText,
  wuzapiLoggedOut,
  wuzapiReadReceipt,
  wuzapiText,
} from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import {
  createWuzapiAdapter,
  InvalidPayloadError,
  type NormalisedEvent,
  normalisedEventSchema,
  unwrapWuzapiPayload,
} from '../src/index.js';
import { wuzapiJob } from './jobs.js';

const adapter = createWuzapiAdapter();

function normalise(job: ReturnType<typeof wuzapiJob>): NormalisedEvent[] {
  const events = adapter.normalise(job);
  for (const e of events) normalisedEventSchema.parse(e);
  return events;
}

function message(job: ReturnType<typeof wuzapiJob>) {
  const [e] = normalise(job);
  if (e?.type !== 'message') throw new Error(`expected a message, got ${JSON.stringify(e)}`);
  return e.message;
}

describe('wuzapi adapter', () => {
  it('converts RFC 3339 times with an offset to UTC', () => {
    const m = message(wuzapiJob(wuzapiText({ timestamp: '2026-11-22T11:03:11.5-03:00' })));
    expect(m.timestamp).toBe('2026-11-22T14:03:11.500Z');
  });

  it('reads a time without a zone as UTC, whatever the host zone', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/Sao_Paulo'; // a host that is not on UTC
    try {
      const m = message(wuzapiJob(wuzapiText({ timestamp: '2026-11-22T14:03:11.250' })));
      expect(m.timestamp).toBe('2026-11-22T14:03:11.250Z');
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('treats Go zero time as missing', () => {
    const job = wuzapiJob(wuzapiText({ timestamp: '0001-01-01T00:00:00Z' }));
    expect(message(job).timestamp).toBe(new Date(job.receivedAt).toISOString());
  });

  it('reads extendedTextMessage text', () => {
    expect(message(wuzapiJob(wuzapiExtendedText({ text: 'olha https://x.y' })))).toMatchObject({
      kind: 'text',
      text: 'olha https://x.y',
    });
  });

  it('carries the legacy token to the message as userToken, and only then', () => {
    expect(message(wuzapiJob(wuzapiText(), 'legacy-form', 'tok-9')).userToken).toBe('tok-9');
    expect(message(wuzapiJob(wuzapiText(), 'form')).userToken).toBeUndefined();
  });

  it('takes the other party from Chat for our own message, never our own Sender device', () => {
    const m = message(wuzapiJob(wuzapiFromMe({ phone: '+5511911112222' })));
    expect(m).toMatchObject({
      direction: 'outbound',
      phone: '+5511911112222',
      chatJid: '5511911112222@s.whatsapp.net',
    });
  });

  it('takes the phone of our own message in an @lid chat from RecipientAlt', () => {
    const m = message(wuzapiJob(wuzapiLidText({ isFromMe: true, phone: '+5511911112222' })));
    expect(m).toMatchObject({ direction: 'outbound', phone: '+5511911112222', chatJid: '123456789012345@lid' });
  });

  it('strips the device suffix of a group author', () => {
    const j = wuzapiText({ chat: '120363041967849074@g.us', sender: '5521912345678:23@s.whatsapp.net' });
    expect(message(wuzapiJob(j))).toMatchObject({ isGroup: true, phone: '+5521912345678' });
  });

  it('reads image captions with media delivered elsewhere (no inline base64)', () => {
    expect(message(wuzapiJob(wuzapiImage({ caption: 'boleto', base64: null })))).toMatchObject({
      kind: 'image',
      text: 'boleto',
    });
  });

  it('turns a receipt for several messages into one status each', () => {
    const events = normalise(wuzapiJob(wuzapiReadReceipt({ ids: ['A', 'B'], state: 'Delivered' })));
    expect(events.map((e) => (e.type === 'message-status' ? [e.messageId, e.status] : e.type))).toEqual([
      ['A', 'delivered'],
      ['B', 'delivered'],
    ]);
  });

  it('ignores ReadSelf: our reading an inbound message changes no status of ours', () => {
    expect(normalise(wuzapiJob(wuzapiReadReceipt({ state: 'ReadSelf' })))).toEqual([
      expect.objectContaining({ type: 'ignored', reason: 'read-self' }),
    ]);
  });

  it('reports LoggedOut as a closed connection with a reason', () => {
    expect(normalise(wuzapiJob(wuzapiLoggedOut()))).toEqual([
      { type: 'connection', source: 'wuzapi', instance: 'wuz-sales', state: 'close', reason: 'logged_out' },
    ]);
  });

  it('unwraps every wire format to the same postmap and identity', () => {
    const jsonData = wuzapiText({ id: 'W-1' });
    const form = unwrapWuzapiPayload(wuzapiJob(jsonData, 'form').payload);
    const raw = unwrapWuzapiPayload(wuzapiJob(jsonData, 'form-raw-jsondata').payload);
    const json = unwrapWuzapiPayload(wuzapiJob(jsonData, 'json').payload);
    const legacy = unwrapWuzapiPayload(wuzapiJob(jsonData, 'legacy-form', 'tok').payload);
    expect(raw).toEqual(form);
    expect(json).toMatchObject({ userID: form.userID, instanceName: form.instanceName });
    expect(json.data).toMatchObject({ type: 'Message', event: form.data.event });
    expect(legacy).toMatchObject({ token: 'tok', data: form.data });
  });

  it('reports a jsonData string that is not JSON as InvalidPayloadError on jsonData', () => {
    const job = { ...wuzapiJob(wuzapiText()), payload: { jsonData: '{"type":' } };
    expect(() => adapter.normalise(job)).toThrow(InvalidPayloadError);
    try {
      adapter.normalise(job);
    } catch (err) {
      expect((err as InvalidPayloadError).issues).toEqual([{ path: 'jsonData', message: 'not JSON' }]);
    }
  });
});
