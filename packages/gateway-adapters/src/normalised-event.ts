import { e164Schema, gatewaySourceSchema, internalMessageSchema } from '@zaprelay/core';
import { z } from 'zod';

/** Delivery state of a message we (or the other party) sent, in one vocabulary for both gateways. */
export const messageStatusSchema = z.enum(['failed', 'pending', 'sent', 'delivered', 'read', 'played', 'deleted']);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

/** Why a gateway event carried a message or contact that produces no CRM work. Small and fixed: used as a metric label. */
export const skipReasonSchema = z.enum([
  /** Group chat message, and the caller does not sync groups (see applyGroupPolicy). */
  'group',
  /** Someone's status (status@broadcast), and the caller does not sync them. */
  'status-broadcast',
  /** No E.164 phone could be derived (an @lid without its phone, our own message in a group, …). */
  'no-phone',
  /** Newsletter / channel / broadcast list: no person on the other side. */
  'unsupported-chat',
  /** Revoke, edit, ephemeral setting…: WhatsApp plumbing, not a message. */
  'protocol-message',
  /** Nothing but key distribution or context info. */
  'no-content',
  /** A contacts.* entry for a group or other non-person JID. */
  'not-a-person',
]);
export type SkipReason = z.infer<typeof skipReasonSchema>;

/** Why a whole event is of no interest to the worker. Also a metric label. */
export const ignoreReasonSchema = z.enum([
  /** Event type the system does not act on (presence, QR, history sync, chats, labels…). */
  'unhandled-event',
  /** A status update whose status we do not know. */
  'unknown-status',
  /** WUZAPI ReadSelf: we read an inbound message on another device; no status of ours changed. */
  'read-self',
]);
export type IgnoreReason = z.infer<typeof ignoreReasonSchema>;

const origin = { source: gatewaySourceSchema, instance: z.string().min(1) };

export const normalisedEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), message: internalMessageSchema }),
  z.object({
    type: z.literal('message-status'),
    ...origin,
    /** WhatsApp's message id (the same id an InternalMessage carries). */
    messageId: z.string().min(1),
    status: messageStatusSchema,
    chatJid: z.string().min(1).optional(),
    timestamp: z.iso.datetime().optional(),
  }),
  z.object({
    type: z.literal('contact'),
    ...origin,
    phone: e164Schema,
    name: z.string().min(1).optional(),
  }),
  z.object({
    type: z.literal('connection'),
    ...origin,
    state: z.enum(['open', 'connecting', 'close']),
    /** Gateway's reason code or word (Evolution statusReason, WUZAPI `logged_out`), for logs and alerts. */
    reason: z.string().optional(),
  }),
  /**
   * A message from an `@lid` chat whose phone the event does not carry: the
   * worker looks the phone up in the lid → phone pairs it learned, or keeps
   * the message until it learns the pair.
   */
  z.object({
    type: z.literal('lid-message'),
    lid: z.string().min(1),
    message: internalMessageSchema.omit({ phone: true }),
  }),
  z.object({
    type: z.literal('skipped'),
    ...origin,
    event: z.string().min(1),
    reason: skipReasonSchema,
    messageId: z.string().min(1).optional(),
    chatJid: z.string().min(1).optional(),
  }),
  z.object({
    type: z.literal('ignored'),
    ...origin,
    event: z.string().min(1),
    reason: ignoreReasonSchema,
  }),
]);
export type NormalisedEvent = z.infer<typeof normalisedEventSchema>;
export type NormalisedEventType = NormalisedEvent['type'];
