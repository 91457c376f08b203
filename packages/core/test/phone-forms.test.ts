import { describe, expect, it } from 'vitest';
import { canonicalPhone, phoneForms } from '../src/phones/phone-forms.js';

describe('phoneForms: the ninth digit of Brazilian mobiles', () => {
  it.each([
    // [case, phone, canonical, forms]
    [
      'new mobile, DDD 41 (Evolution drops the 9)',
      '+5541991234567',
      '+5541991234567',
      ['+5541991234567', '+554191234567'],
    ],
    [
      'old mobile, DDD 41 (the JID WhatsApp uses)',
      '+554191234567',
      '+5541991234567',
      ['+5541991234567', '+554191234567'],
    ],
    [
      'new mobile, DDD 11 (Evolution keeps the 9)',
      '+5511987654321',
      '+5511987654321',
      ['+5511987654321', '+551187654321'],
    ],
    ['old mobile, DDD 11', '+551187654321', '+5511987654321', ['+5511987654321', '+551187654321']],
    ['new mobile whose next digit is 6', '+5531961234567', '+5531961234567', ['+5531961234567', '+553161234567']],
    ['landline, DDD 11', '+551133334444', '+551133334444', ['+551133334444']],
    ['landline, DDD 41', '+554132221111', '+554132221111', ['+554132221111']],
    ['13 digits but not a mobile (9 then 1)', '+5521910000001', '+5521910000001', ['+5521910000001']],
    ['a DDD with a zero is no DDD', '+5501987654321', '+5501987654321', ['+5501987654321']],
    ['non-Brazilian (Portugal)', '+351912345678', '+351912345678', ['+351912345678']],
    ['non-Brazilian with 55 inside (US)', '+15541991234', '+15541991234', ['+15541991234']],
    ['too short for a Brazilian mobile', '+55419123456', '+55419123456', ['+55419123456']],
  ])('%s: %s', (_case, phone, canonical, forms) => {
    expect(phoneForms(phone)).toEqual({ canonical, forms });
    expect(canonicalPhone(phone)).toBe(canonical);
  });

  it('is idempotent: the canonical form of a canonical form is itself', () => {
    for (const phone of ['+554191234567', '+5541991234567', '+551133334444', '+351912345678']) {
      const { canonical } = phoneForms(phone);
      expect(phoneForms(canonical).canonical).toBe(canonical);
    }
  });
});
