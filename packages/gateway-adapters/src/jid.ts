import { e164Schema } from '@zaprelay/core';

/** What kind of chat a WhatsApp JID names. */
export type JidKind = 'person' | 'lid' | 'group' | 'status' | 'broadcast' | 'newsletter' | 'other';

export function jidKind(jid: string): JidKind {
  if (jid === 'status@broadcast') return 'status';
  const server = jid.slice(jid.lastIndexOf('@') + 1);
  switch (server) {
    case 's.whatsapp.net':
    case 'c.us': // older gateways' spelling of a person JID
      return 'person';
    case 'lid':
      return 'lid';
    case 'g.us':
      return 'group';
    case 'broadcast':
      return 'broadcast';
    case 'newsletter':
      return 'newsletter';
    default:
      return 'other';
  }
}

/** `5511987654321:12@s.whatsapp.net` → `5511987654321` (device and agent suffixes dropped). */
export function jidUser(jid: string): string {
  const at = jid.indexOf('@');
  const user = at === -1 ? jid : jid.slice(0, at);
  return user.split(/[:.]/)[0] ?? '';
}

/** E.164 phone of a person JID, or undefined for anything that is not a valid phone JID. */
export function phoneFromJid(jid: string | null | undefined): string | undefined {
  if (!jid || jidKind(jid) !== 'person') return undefined;
  const candidate = `+${jidUser(jid)}`;
  return e164Schema.safeParse(candidate).success ? candidate : undefined;
}

/** First of the candidate JIDs that yields a phone. */
export function firstPhone(...jids: Array<string | null | undefined>): string | undefined {
  for (const jid of jids) {
    const phone = phoneFromJid(jid);
    if (phone) return phone;
  }
  return undefined;
}
