/**
 * Where a send goes, read from an outbound job's `to` (an E.164 phone or a
 * WhatsApp JID) and spelled the way each gateway wants it.
 */
export interface Recipient {
  /** The chat's JID: `<digits>@s.whatsapp.net`, `…@g.us`, `…@lid`. */
  jid: string;
  /** E.164 phone of a person; absent for groups and `@lid` identities (not phone numbers). */
  e164?: string;
  isGroup: boolean;
  /** What Evolution's `number` and WUZAPI's `Phone` take: digits for a person, else the JID. */
  gatewayAddress: string;
}

export class InvalidRecipientError extends Error {
  constructor(readonly to: string) {
    super('`to` must be an E.164 phone such as +5511987654321 or a WhatsApp JID such as 5511987654321@s.whatsapp.net');
    this.name = 'InvalidRecipientError';
  }
}

const PHONE_DIGITS = /^[1-9]\d{6,14}$/;
const PERSON_SERVERS = new Set(['s.whatsapp.net', 'c.us']);

function person(digits: string): Recipient {
  return { jid: `${digits}@s.whatsapp.net`, e164: `+${digits}`, isGroup: false, gatewayAddress: digits };
}

export function parseRecipient(to: string): Recipient {
  const value = to.trim();
  const at = value.indexOf('@');
  if (at === -1) {
    const digits = value.replace(/^\+/, '');
    if (!PHONE_DIGITS.test(digits)) throw new InvalidRecipientError(to);
    return person(digits);
  }
  // A device suffix (`5511…:12@s.whatsapp.net`) names one of the person's devices, not another chat.
  const user = value.slice(0, at).split(':')[0] ?? '';
  const server = value.slice(at + 1).toLowerCase();
  if (!user || !/^[\w.-]+$/.test(user)) throw new InvalidRecipientError(to);
  if (PERSON_SERVERS.has(server)) {
    if (!PHONE_DIGITS.test(user)) throw new InvalidRecipientError(to);
    return person(user);
  }
  if (server === 'g.us') return { jid: `${user}@g.us`, isGroup: true, gatewayAddress: `${user}@g.us` };
  if (server === 'lid') return { jid: `${user}@lid`, isGroup: false, gatewayAddress: `${user}@lid` };
  throw new InvalidRecipientError(to);
}

/**
 * Whether a chat JID reported by a gateway is this recipient. Evolution
 * rewrites some numbers before sending (Brazil's ninth mobile digit, Mexico's
 * and Argentina's prefixes), so for people the country/area prefix and the
 * last eight digits decide.
 */
export function isSameRecipient(recipient: Recipient, jid: string | undefined): boolean {
  if (!jid) return false;
  const at = jid.indexOf('@');
  const user = (at === -1 ? jid : jid.slice(0, at)).split(':')[0] ?? '';
  const server = at === -1 ? '' : jid.slice(at + 1).toLowerCase();
  if (!recipient.e164) return `${user}@${server}` === recipient.jid;
  if (server && !PERSON_SERVERS.has(server)) return false;
  const ours = recipient.e164.slice(1);
  if (user === ours) return true;
  return user.length >= 10 && user.slice(0, 4) === ours.slice(0, 4) && user.slice(-8) === ours.slice(-8);
}
