import type { WebhookEventJob } from '@zaprelay/core';
import { z } from 'zod';
import { guarded, messageEvent, zodParse } from './build-events.js';
import type { GatewayAdapter } from './gateway-adapter.js';
import { InvalidPayloadError } from './invalid-payload-error.js';
import { firstPhone, jidKind, phoneFromJid } from './jid.js';
import type { MessageStatus, NormalisedEvent } from './normalised-event.js';
import { revokeOf } from './revisions.js';
import { isoFromUnix, parseUtc } from './timestamps.js';

/**
 * Evolution API's webhook body as posted (`webhook.controller.ts`). Loose: Evolution
 * adds fields between versions, and the ingress may have replaced inline base64.
 */
export const evolutionEnvelopeSchema = z.looseObject({
  /** Missing only if someone stored `data` alone; the job's event then stands in. */
  event: z.string().min(1).optional(),
  instance: z.string().min(1).optional(),
  data: z.unknown().optional(),
  date_time: z.string().nullish(),
});

const nullableString = z.string().nullish();

const messageKeySchema = z.looseObject({
  remoteJid: z.string().min(1),
  fromMe: z.boolean(),
  id: z.string().min(1),
  participant: nullableString,
  /** Phone JID of an @lid chat (current versions, addressingMode 'lid'). */
  remoteJidAlt: nullableString,
  /** Older spellings of the same alternative phone JID. */
  senderPn: nullableString,
  participantAlt: nullableString,
  participantPn: nullableString,
  addressingMode: nullableString,
});

const messageDataSchema = z.looseObject({
  key: messageKeySchema,
  pushName: nullableString,
  message: z.unknown().optional(),
  messageTimestamp: z.unknown().optional(),
  /** Some versions put a group author here rather than in the key. */
  participant: nullableString,
});

/** Fields a deletion report (`messages.update` DELETED, `messages.delete`) may carry besides the ids. */
const deletionFields = {
  fromMe: z.boolean().nullish(),
  participant: nullableString,
  remoteJidAlt: nullableString,
  participantAlt: nullableString,
};

const statusUpdateSchema = z.looseObject({
  ...deletionFields,
  /** WhatsApp's id in v2 (`messageId` there is Evolution's database id). */
  keyId: z.string().min(1).optional(),
  /** WhatsApp's id in v1 (the key is spread into the data). */
  id: z.string().min(1).optional(),
  remoteJid: nullableString,
  status: z.union([z.string(), z.number()]).nullish(),
});

const deleteSchema = z.looseObject({
  ...deletionFields,
  id: z.string().min(1).optional(),
  keyId: z.string().min(1).optional(),
  key: z.looseObject({ id: z.string().min(1) }).optional(),
  remoteJid: nullableString,
});

const contactEntrySchema = z.looseObject({
  remoteJid: z.string().min(1).optional(),
  id: z.string().min(1).optional(),
  pushName: nullableString,
  name: nullableString,
  verifiedName: nullableString,
});

const connectionSchema = z.looseObject({
  instance: z.string().min(1).optional(),
  state: z.enum(['open', 'connecting', 'close']),
  statusReason: z.union([z.number(), z.string()]).nullish(),
});

/** `MESSAGES_UPSERT` (config), `messages-upsert` (URL suffix), `messages.upsert` (body) → `messages.upsert`. */
export function canonicalEvolutionEvent(name: string): string {
  return name.trim().toLowerCase().replace(/[_-]/g, '.');
}

/** Baileys' numeric statuses (older versions) and Evolution's names → our vocabulary. */
const STATUS: Record<string, MessageStatus> = {
  ERROR: 'failed',
  '0': 'failed',
  PENDING: 'pending',
  '1': 'pending',
  SERVER_ACK: 'sent',
  '2': 'sent',
  DELIVERY_ACK: 'delivered',
  '3': 'delivered',
  READ: 'read',
  '4': 'read',
  PLAYED: 'played',
  '5': 'played',
  DELETED: 'deleted',
};

/** `messages.edited`: what newer Evolution versions post for an edit (same data as an upsert). */
const MESSAGE_EVENTS = new Set(['messages.upsert', 'send.message', 'messages.edited']);

function asList(data: unknown): unknown[] {
  return Array.isArray(data) ? data : [data];
}

export function createEvolutionAdapter(): GatewayAdapter {
  return {
    source: 'evolution',
    normalise: (job) => guarded('evolution', job, () => normaliseEvolution(job)),
  };
}

function normaliseEvolution(job: WebhookEventJob): NormalisedEvent[] {
  const envelope = zodParse(evolutionEnvelopeSchema, job.payload, 'evolution', job.event);
  const event = canonicalEvolutionEvent(envelope.event ?? job.event);
  const instance = job.instance;
  // Spelled out in each event, not spread from a shared `origin`: in Node 20's V8 every property written after a
  // spread in an object literal takes a slow path (~1.5 µs each on the bench machine), most of this function's time.
  const source = 'evolution' as const;
  const fallbackTime = isoFromDate(envelope.date_time) ?? new Date(job.receivedAt).toISOString();
  const parse = <T>(schema: z.ZodType<T>, value: unknown) => zodParse(schema, value, 'evolution', event);

  if (MESSAGE_EVENTS.has(event)) {
    const list = asList(envelope.data);
    if (list.length === 0) throw new InvalidPayloadError('evolution', event, [{ path: 'data', message: 'no message' }]);
    return list.map((item) => {
      const d = parse(messageDataSchema, item);
      const { key } = d;
      return messageEvent({
        source,
        instance,
        event,
        messageId: key.id,
        chatJid: key.remoteJid,
        fromMe: key.fromMe,
        phone: otherPartyPhone(key, d.participant),
        pushName: d.pushName ?? undefined,
        timestamp: isoFromUnix(d.messageTimestamp) ?? fallbackTime,
        receivedAt: job.receivedAt,
        content: d.message,
      });
    });
  }

  switch (event) {
    case 'messages.update':
      return asList(envelope.data).map((item) => {
        const u = parse(statusUpdateSchema, item);
        const messageId = u.keyId ?? u.id;
        if (!messageId) {
          throw new InvalidPayloadError('evolution', event, [{ path: 'data.keyId', message: 'no message id' }]);
        }
        const status = u.status == null ? undefined : STATUS[String(u.status).toUpperCase()];
        if (!status) return { type: 'ignored', source, instance, event, reason: 'unknown-status' };
        if (status === 'deleted' && u.remoteJid) {
          return deletionEvent(
            { instance, event, receivedAt: job.receivedAt },
            { ...u, messageId, remoteJid: u.remoteJid },
            fallbackTime,
          );
        }
        return {
          type: 'message-status',
          source,
          instance,
          messageId,
          status,
          ...(u.remoteJid ? { chatJid: u.remoteJid } : {}),
        };
      });
    case 'messages.delete':
      return asList(envelope.data).map((item) => {
        const d = parse(deleteSchema, item);
        const messageId = d.id ?? d.keyId ?? d.key?.id;
        if (!messageId)
          throw new InvalidPayloadError('evolution', event, [{ path: 'data.id', message: 'no message id' }]);
        if (d.remoteJid) {
          return deletionEvent(
            { instance, event, receivedAt: job.receivedAt },
            { ...d, messageId, remoteJid: d.remoteJid },
            fallbackTime,
          );
        }
        return {
          type: 'message-status',
          source,
          instance,
          messageId,
          status: 'deleted',
          ...(d.remoteJid ? { chatJid: d.remoteJid } : {}),
        };
      });
    case 'contacts.upsert':
    case 'contacts.update':
      return asList(envelope.data).map((item): NormalisedEvent => {
        const c = parse(contactEntrySchema, item);
        const jid = c.remoteJid ?? c.id;
        if (!jid) throw new InvalidPayloadError('evolution', event, [{ path: 'data.remoteJid', message: 'no JID' }]);
        const phone = phoneFromJid(jid);
        if (!phone) {
          const reason = jidKind(jid) === 'lid' ? 'no-phone' : 'not-a-person';
          return { type: 'skipped', source, instance, event, reason, chatJid: jid };
        }
        const name = [c.pushName, c.name, c.verifiedName].map((n) => n?.trim()).find(Boolean);
        return { type: 'contact', source, instance, phone, ...(name ? { name } : {}) };
      });
    case 'connection.update': {
      const c = parse(connectionSchema, envelope.data);
      const reason = c.statusReason == null ? undefined : String(c.statusReason);
      return [{ type: 'connection', source, instance, state: c.state, ...(reason ? { reason } : {}) }];
    }
    default:
      return [{ type: 'ignored', source, instance, event, reason: 'unhandled-event' }];
  }
}

/**
 * The other party's phone: the chat's own JID for a person, its alternative
 * (remoteJidAlt/senderPn) for an @lid, the author (participant or its
 * alternative) for a group or a status. Our own group/status messages have no
 * single other party: undefined.
 */
function otherPartyPhone(key: z.infer<typeof messageKeySchema>, dataParticipant: string | null | undefined) {
  const chat = jidKind(key.remoteJid);
  if (chat === 'group' || chat === 'status') {
    if (key.fromMe) return undefined;
    return firstPhone(key.participant, key.participantAlt, key.participantPn, dataParticipant, key.senderPn);
  }
  return firstPhone(key.remoteJid, key.remoteJidAlt, key.senderPn);
}

/**
 * A message deleted for everyone, reported without its protocol message: made
 * into the same revoke an upsert would carry, so every way of reporting one
 * deletion ends as the same `[deleted]` activity (see revisions.ts).
 */
function deletionEvent(
  origin: { instance: string; event: string; receivedAt: number },
  d: { messageId: string; remoteJid: string } & Partial<
    Record<'fromMe', boolean | null> & Record<'participant' | 'remoteJidAlt' | 'participantAlt', string | null>
  >,
  timestamp: string,
): NormalisedEvent {
  const fromMe = d.fromMe ?? false;
  const key = {
    remoteJid: d.remoteJid,
    fromMe,
    id: d.messageId,
    participant: d.participant,
    remoteJidAlt: d.remoteJidAlt,
    participantAlt: d.participantAlt,
  };
  return messageEvent({
    source: 'evolution',
    instance: origin.instance,
    event: origin.event,
    messageId: d.messageId,
    chatJid: d.remoteJid,
    fromMe,
    phone: otherPartyPhone(key, d.participant),
    pushName: undefined,
    timestamp,
    receivedAt: origin.receivedAt,
    content: revokeOf(d.messageId),
  });
}

function isoFromDate(s: string | null | undefined): string | undefined {
  if (!s) return undefined;
  const ms = parseUtc(s);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
