import { z } from 'zod';
import { e164Schema, internalMessageSchema } from '../messages.js';

/** A webhook event exactly as it arrived, minus inline media; normalised later by the worker. */
export const webhookEventJobSchema = z.object({
  source: z.enum(['evolution', 'wuzapi', 'supercrm']),
  /** Canonical name: Evolution's dotted form (`messages.upsert`), WUZAPI's `type`, SuperCRM's `type`. */
  event: z.string().min(1),
  /** Evolution instance, WUZAPI instanceName (or userID), or `supercrm`. */
  instance: z.string().min(1),
  receivedAt: z.number().int(),
  /** What identified the sender besides the instance (WUZAPI's userID / legacy token). */
  auth: z
    .object({
      userID: z.string().optional(),
      instanceName: z.string().optional(),
      token: z.string().optional(),
    })
    .optional(),
  payload: z.unknown(),
});
export type WebhookEventJob = z.infer<typeof webhookEventJobSchema>;

/**
 * CRM work. Each processing of a CRM job sends at most one HTTP request, so
 * the queue's limiter counts requests, not jobs; a job that needs another
 * request moves itself back to the queue with its next `step`.
 */
export const crmJobSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('message-activity'),
    message: internalMessageSchema,
    step: z.enum(['resolve-contact', 'create-contact', 'create-activity']).default('resolve-contact'),
    contactId: z.string().optional(),
    /** Contact ids the CRM answered 404 for: never trusted again by this job (deleted in the CRM). */
    goneContactIds: z.array(z.string()).optional(),
    /** The message's arrival number in its chat, given at enqueue (apps/worker/src/crm/chat-order.ts). */
    chatSeq: z.number().int().nonnegative().optional(),
    /** Its place among the chat's activities, given when it passes the order gate; sent as metadata.chat_seq. */
    activitySeq: z.number().int().nonnegative().optional(),
    /** When the job first found an earlier message of its chat still pending (epoch ms). */
    orderWaitSince: z.number().int().optional(),
  }),
  z.object({
    kind: z.literal('contact-upsert'),
    phone: e164Schema,
    name: z.string().optional(),
    source: z.string().default('whatsapp'),
    /** `check-name`: a GET, before replacing a name, to see that it is still the one zaprelay wrote. */
    step: z.enum(['resolve-contact', 'create-contact', 'check-name', 'update-contact']).default('resolve-contact'),
    contactId: z.string().optional(),
    /** Contact ids the CRM answered 404 for: never trusted again by this job (deleted in the CRM). */
    goneContactIds: z.array(z.string()).optional(),
  }),
]);
export type CrmJob = z.infer<typeof crmJobSchema>;

export const outboundJobSchema = z.object({
  instance: z.string().min(1),
  /** E.164 phone or a WhatsApp JID. */
  to: z.string().min(1),
  text: z.string().min(1).max(65_536),
  origin: z.enum(['api', 'supercrm']),
  /** SuperCRM contact that asked for the send, when known. */
  contactId: z.string().optional(),
  requestedAt: z.number().int(),
});
export type OutboundJob = z.infer<typeof outboundJobSchema>;

export const outboundResultSchema = z.object({
  gatewayMessageId: z.string(),
  gateway: z.enum(['evolution', 'wuzapi']),
});
export type OutboundResult = z.infer<typeof outboundResultSchema>;
