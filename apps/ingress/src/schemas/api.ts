import { z } from 'zod';

/** E.164 (`+5511987654321`) or a WhatsApp JID (`5511987654321@s.whatsapp.net`, a group, a @lid). */
const recipient = z.string().regex(/^(\+[1-9]\d{6,14}|[\w.-]{1,64}@(s\.whatsapp\.net|g\.us|lid))$/, {
  error: 'must be an E.164 phone (+5511987654321) or a WhatsApp JID',
});

export const sendMessageBodySchema = z.object({
  instance: z.string().min(1).max(200),
  to: recipient,
  text: z.string().min(1).max(4096),
});

export const contactSyncBodySchema = z.object({ instance: z.string().min(1).max(200) });

export const jobIdParamsSchema = z.object({ id: z.string().min(1).max(200) });
