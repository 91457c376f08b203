import { z } from 'zod';

export const superCrmWebhookSchema = z
  .object({
    id: z.string().min(1).max(255),
    type: z.string().min(1).max(100),
    created_at: z.string().optional(),
    data: z.record(z.string(), z.unknown()),
  })
  .loose();

export const HANDLED_SUPERCRM_EVENTS = new Set(['message.send_requested', 'contact.updated']);
