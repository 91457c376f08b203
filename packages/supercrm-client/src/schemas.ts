import { z } from 'zod';

/**
 * SuperCRM's wire shapes (../../../shared/supercrm-api.md). Responses are
 * parsed leniently (unknown fields dropped, email may be null) so that a CRM
 * adding fields does not break us; what we send is typed exactly.
 */

export const contactSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  phone: z.string(),
  email: z.string().nullish(),
  source: z.string().nullish(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Contact = z.infer<typeof contactSchema>;

export const contactSearchSchema = z.object({ data: z.array(contactSchema) });

export const newContactSchema = z.object({
  name: z.string().min(1),
  phone: z.string(),
  email: z.string().optional(),
  source: z.string().min(1),
  created_at: z.string(),
});
export type NewContact = z.infer<typeof newContactSchema>;

/** `PUT /contacts/{id}`: any of the fields plus the time of the change. */
export const contactUpdateSchema = z.object({
  name: z.string().min(1).optional(),
  email: z.string().optional(),
  updated_at: z.string(),
});
export type ContactUpdate = z.infer<typeof contactUpdateSchema>;

/** Loose: zaprelay adds ordering and revision fields (see the worker's activity-metadata.ts). */
export const activityMetadataSchema = z.looseObject({
  message_id: z.string().min(1),
  instance: z.string().min(1),
  user_token: z.string().optional(),
});

export const newActivitySchema = z.object({
  type: z.literal('whatsapp_message'),
  description: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  timestamp: z.string(),
  metadata: activityMetadataSchema,
});
export type NewActivity = z.infer<typeof newActivitySchema>;

export const activitySchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  description: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  timestamp: z.string(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type Activity = z.infer<typeof activitySchema>;

/** `409 {"error":"conflict","id":"<existing id>"}` on a phone that already has a contact. */
export const conflictBodySchema = z.object({ error: z.literal('conflict'), id: z.string().min(1) });
