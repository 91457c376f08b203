import { z } from 'zod';

/** ISO 8601 or epoch milliseconds; epoch seconds are refused rather than read as 1970. */
const instant = z
  .union([z.iso.datetime({ offset: true }), z.number().int()], {
    error: 'must be an ISO 8601 date-time or epoch milliseconds',
  })
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)))
  .refine((ms) => ms >= 1e12, { error: 'looks like epoch seconds: give milliseconds or an ISO date-time' });

export const backfillBodySchema = z.object({
  instance: z.string().min(1).max(200),
  since: instant,
  until: instant.optional(),
});
