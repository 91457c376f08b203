import { e164Schema } from '@zaprelay/core';
import { z } from 'zod';

/** The SuperCRM events the worker acts on, as the ingress stored them (payload = the verified body). */
export const superCrmEventSchema = z.discriminatedUnion('type', [
  z.object({
    id: z.string().min(1),
    type: z.literal('message.send_requested'),
    data: z.object({
      contact_id: z.string().optional(),
      phone: e164Schema,
      text: z.string().min(1),
      instance: z.string().min(1).optional(),
    }),
  }),
  z.object({
    id: z.string().min(1),
    type: z.literal('contact.updated'),
    data: z
      .object({
        id: z.string().min(1),
        phone: e164Schema,
        name: z.string().optional(),
        updated_at: z.string().optional(),
      })
      .loose(),
  }),
]);
export type SuperCrmEvent = z.infer<typeof superCrmEventSchema>;

export const HANDLED_SUPERCRM_TYPES: ReadonlySet<string | undefined> = new Set(
  superCrmEventSchema.options.map((o) => o.shape.type.value),
);

export function superCrmTypeOf(payload: unknown): string | undefined {
  const type = (payload as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : undefined;
}
