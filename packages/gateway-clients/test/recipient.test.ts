import { describe, expect, it } from 'vitest';
import { InvalidRecipientError, isSameRecipient, parseRecipient } from '../src/index.js';

describe('parseRecipient', () => {
  it('reads E.164 phones and person JIDs as the same person', () => {
    const expected = {
      jid: '5511987654321@s.whatsapp.net',
      e164: '+5511987654321',
      isGroup: false,
      gatewayAddress: '5511987654321',
    };
    expect(parseRecipient('+5511987654321')).toEqual(expected);
    expect(parseRecipient('5511987654321@s.whatsapp.net')).toEqual(expected);
    expect(parseRecipient('5511987654321:7@s.whatsapp.net')).toEqual(expected);
  });

  it('keeps groups and @lid identities as JIDs without a phone', () => {
    expect(parseRecipient('120363042@g.us')).toEqual({
      jid: '120363042@g.us',
      isGroup: true,
      gatewayAddress: '120363042@g.us',
    });
    expect(parseRecipient('98765432101234@lid').e164).toBeUndefined();
  });

  it.each(['', 'abc', '+0123', '12', 'x@example.com', '@s.whatsapp.net', 'abc@s.whatsapp.net'])('rejects %j', (to) => {
    expect(() => parseRecipient(to)).toThrow(InvalidRecipientError);
  });
});

describe('isSameRecipient', () => {
  const person = parseRecipient('+5511987654321');

  it('matches the same number, with or without Brazil’s ninth digit', () => {
    expect(isSameRecipient(person, '5511987654321@s.whatsapp.net')).toBe(true);
    expect(isSameRecipient(person, '551187654321@s.whatsapp.net')).toBe(true);
  });

  it('does not match other numbers, groups or nothing', () => {
    expect(isSameRecipient(person, '5511987650000@s.whatsapp.net')).toBe(false);
    expect(isSameRecipient(person, '4411987654321@s.whatsapp.net')).toBe(false);
    expect(isSameRecipient(person, '5511987654321@g.us')).toBe(false);
    expect(isSameRecipient(person, undefined)).toBe(false);
    expect(isSameRecipient(parseRecipient('120363042@g.us'), '120363042@g.us')).toBe(true);
  });
});
