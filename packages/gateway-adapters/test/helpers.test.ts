import { describe, expect, it } from 'vitest';
import { describeMessage, jidKind, phoneFromJid } from '../src/index.js';

describe('JIDs', () => {
  it.each([
    ['5511987654321@s.whatsapp.net', 'person', '+5511987654321'],
    ['5511987654321:12@s.whatsapp.net', 'person', '+5511987654321'],
    ['5511987654321.1:12@s.whatsapp.net', 'person', '+5511987654321'],
    ['5511987654321@c.us', 'person', '+5511987654321'],
    ['123456789012345@lid', 'lid', undefined],
    ['120363041967849074@g.us', 'group', undefined],
    ['status@broadcast', 'status', undefined],
    ['0123@s.whatsapp.net', 'person', undefined],
    ['garbage', 'other', undefined],
  ] as const)('%s is %s with phone %s', (jid, kind, phone) => {
    expect(jidKind(jid)).toBe(kind);
    expect(phoneFromJid(jid)).toBe(phone);
  });
});

describe('describeMessage', () => {
  it('keeps text as it is and labels everything else', () => {
    expect(describeMessage({ kind: 'text', text: 'oi' })).toBe('oi');
    expect(describeMessage({ kind: 'text' })).toBe('');
    expect(describeMessage({ kind: 'image', text: 'nota' })).toBe('[image] nota');
    expect(describeMessage({ kind: 'audio' })).toBe('[audio]');
    expect(describeMessage({ kind: 'other' })).toBe('[other]');
  });
});
