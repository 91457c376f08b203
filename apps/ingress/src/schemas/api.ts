import { MAX_SEND_TEXT_LENGTH } from '@zaprelay/core';
import { parseRecipient } from '@zaprelay/gateway-clients/rules';
import { z } from 'zod';

/**
 * E.164 (`+5511987654321`) or a WhatsApp JID (`5511987654321@s.whatsapp.net`, a group, a @lid), by the
 * same rule the worker sends with: what the ingress accepts, the worker can send.
 */
const recipient = z
  .string()
  .max(128)
  .refine(
    (to) => {
      try {
        parseRecipient(to);
        return true;
      } catch {
        return false;
      }
    },
    { error: 'must be an E.164 phone (+5511987654321) or a WhatsApp JID' },
  );

export const sendMessageBodySchema = z.object({
  instance: z.string().min(1).max(200),
  to: recipient,
  text: z.string().min(1).max(MAX_SEND_TEXT_LENGTH),
});

export const contactSyncBodySchema = z.object({ instance: z.string().min(1).max(200) });

export const jobIdParamsSchema = z.object({ id: z.string().min(1).max(200) });
