import { z } from 'zod';

/** Evolution's envelope; `data` differs per event and is read by the worker's adapter. */
export const evolutionWebhookSchema = z
  .object({
    event: z.string().min(1).max(100).optional(),
    instance: z.string().min(1).max(200),
    data: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]),
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
