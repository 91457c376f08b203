import { describe, expect, it } from 'vitest';
import { EVOLUTION_DROPPED_KEYS, stripInlineMedia } from '../src/enqueue/strip-inline-media.js';

describe('stripInlineMedia', () => {
  const base64 = Buffer.alloc(3000, 7).toString('base64');

  it('returns a body without media as it is, copying nothing', () => {
    const body = { instance: 'vendas', data: { key: { id: 'A' }, message: { conversation: 'Olá 😀' } } };
    expect(stripInlineMedia(body, 1024)).toBe(body);
  });

  it('copies only the objects on the way to a change, and never changes its input', () => {
    const key = { id: 'B', remoteJid: '5511987654321@s.whatsapp.net' };
    const body = {
      instance: 'vendas',
      data: {
        key,
        message: { imageMessage: { caption: 'Foto', jpegThumbnail: base64 } },
        messageContextInfo: { x: 1 },
      },
      list: [1, 2],
    };
    const before = structuredClone(body);
    const out = stripInlineMedia(body, 1024, EVOLUTION_DROPPED_KEYS) as typeof body;
    expect(body).toEqual(before);
    expect(out).toEqual({
      instance: 'vendas',
      data: { key, message: { imageMessage: { caption: 'Foto', jpegThumbnail: { omitted: 'base64', bytes: 3000 } } } },
      list: [1, 2],
    });
    expect(out).not.toBe(body);
    expect(out.data.key).toBe(key);
    expect(out.list).toBe(body.list);
    // Key order is kept around the change.
    expect(Object.keys(out)).toEqual(['instance', 'data', 'list']);
  });

  it('replaces media inside arrays, keeping the other items', () => {
    const items = [{ text: 'a' }, { base64 }, { text: 'c' }];
    const out = stripInlineMedia(items, 1024) as unknown[];
    expect(out).toEqual([{ text: 'a' }, { base64: { omitted: 'base64', bytes: 3000 } }, { text: 'c' }]);
    expect(out[0]).toBe(items[0]);
    expect(items[1]).toEqual({ base64 });
  });

  it('leaves out prototype-bearing keys and dropped keys wherever they are', () => {
    const body = JSON.parse('{"a":{"constructor":{"prototype":{"x":1}},"b":2},"messageContextInfo":{}}');
    expect(stripInlineMedia(body, 1024, EVOLUTION_DROPPED_KEYS)).toEqual({ a: { b: 2 } });
  });
});
