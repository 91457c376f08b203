import { z } from 'zod';

/** E.164 as SuperCRM wants it: + then 7 to 15 digits. */
export const e164Schema = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, { error: 'must be an E.164 phone such as +5511987654321' });

export const gatewaySourceSchema = z.enum(['evolution', 'wuzapi']);
export type GatewaySource = z.infer<typeof gatewaySourceSchema>;

export const messageKindSchema = z.enum([
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contact',
  'reaction',
  'other',
]);
export type MessageKind = z.infer<typeof messageKindSchema>;

/** The one shape every gateway's message is normalised into, in the worker. */
export const internalMessageSchema = z.object({
  source: gatewaySourceSchema,
  instance: z.string().min(1),
  messageId: z.string().min(1),
  chatJid: z.string().min(1),
  /** The other party's phone: the contact the activity belongs to. */
  phone: e164Schema,
  contactName: z.string().optional(),
  direction: z.enum(['inbound', 'outbound']),
  kind: messageKindSchema,
  /** Text, or the caption of media. */
  text: z.string().optional(),
  timestamp: z.iso.datetime(),
  isGroup: z.boolean(),
  /** WUZAPI's user token, when the webhook carried it (legacy versions). */
  userToken: z.string().optional(),
  /** When the ingress received the event (epoch ms): breaks ties between messages of the same second. */
  receivedAt: z.number().int().optional(),
  /** The gateway's own timestamp when it was implausible (before 2009, over a day ahead) and `timestamp` is the time of receipt. */
  gatewayTimestamp: z.string().optional(),
  /** An edit of, or the deletion for everyone of, an earlier message (`text` is then the new text of an edit). */
  revision: z.object({ type: z.enum(['edited', 'deleted']), originalMessageId: z.string().min(1) }).optional(),
});
export type InternalMessage = z.infer<typeof internalMessageSchema>;

/**
 * Stable across redeliveries, echoes and sources' spellings: the key for the
 * CRM's Idempotency-Key and for our own dedupe of activities.
 */
export function messageActivityKey(m: Pick<InternalMessage, 'instance' | 'messageId'>): string {
  return `wa-msg:${m.instance}:${m.messageId}`;
}
