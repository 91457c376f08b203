import { z } from 'zod';

const objectOrArray = (v: unknown) => typeof v === 'object' && v !== null;

/**
 * Evolution's envelope; `data` differs per event and is read by the worker's
 * adapter. It is checked, not copied: a record schema would rebuild it key by
 * key on every webhook.
 */
export const evolutionWebhookSchema = z
  .object({
    event: z.string().min(1).max(100).optional(),
    instance: z.string().min(1).max(200),
    data: z.custom<Record<string, unknown> | unknown[]>(objectOrArray, { error: 'must be an object or an array' }),
    destination: z.string().nullish(),
    date_time: z.string().nullish(),
    sender: z.string().nullish(),
    server_url: z.string().nullish(),
    apikey: z.string().nullish(),
  })
  .loose();
export type EvolutionWebhook = z.infer<typeof evolutionWebhookSchema>;

/** `messages.upsert`, `MESSAGES_UPSERT` and `messages-upsert` are one event. */
export function canonicalEventName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_]/g, '.');
}

export const HANDLED_EVOLUTION_EVENTS = new Set([
  'messages.upsert',
  'messages.update',
  'messages.delete',
  'send.message',
  'contacts.upsert',
  'contacts.update',
  'presence.update',
  'connection.update',
  'qrcode.updated',
]);
