import { z } from 'zod';

/**
 * Where a send stands, kept in the job's progress so it lives and dies with
 * the job and shows in the dashboard:
 * - `sending`: a request left for the gateway and its outcome is not known
 *   (if the next attempt finds this, the previous one may have sent);
 * - `not-sent`: the last attempt failed before anything could go out;
 * - `sent`: the gateway accepted the message; later attempts only finish the
 *   bookkeeping and never send again.
 */
export const sendProgressSchema = z.discriminatedUnion('stage', [
  z.object({ stage: z.literal('sending'), since: z.number().int() }),
  z.object({ stage: z.literal('not-sent') }),
  z.object({
    stage: z.literal('sent'),
    gateway: z.enum(['evolution', 'wuzapi']),
    gatewayMessageId: z.string().min(1),
    chatJid: z.string().optional(),
    sentAt: z.number().int(),
  }),
]);
export type SendProgress = z.infer<typeof sendProgressSchema>;
export type SentProgress = Extract<SendProgress, { stage: 'sent' }>;

export function readSendProgress(progress: unknown): SendProgress | undefined {
  const parsed = sendProgressSchema.safeParse(progress);
  return parsed.success ? parsed.data : undefined;
}
