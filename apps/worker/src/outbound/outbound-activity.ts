import {
  type CrmJob,
  crmJobSchema,
  type InternalMessage,
  type Logger,
  messageActivityKey,
  type OutboundJob,
  toJobId,
} from '@zaprelay/core';
import type { Recipient } from '@zaprelay/gateway-clients';
import type { Queue } from 'bullmq';
import type { SentProgress } from './send-progress.js';

/**
 * Queues the CRM activity of a message we sent. Its job id is the message's
 * activity key, the same one Evolution's echo of this message produces, so
 * whichever arrives first is queued and the other is a no-op (the echo
 * resolves by phone, both spellings, and so finds the same contact).
 * Returns false when the chat has no phone (group, `@lid`): no contact to put it on.
 */
export async function enqueueOutboundActivity(
  crmQueue: Queue,
  data: OutboundJob,
  recipient: Recipient,
  sent: SentProgress,
  logger: Logger,
): Promise<boolean> {
  if (!recipient.e164) {
    logger.info(
      { instance: data.instance, gatewayMessageId: sent.gatewayMessageId },
      'no phone for this chat: no CRM activity',
    );
    return false;
  }
  const message: InternalMessage = {
    source: sent.gateway,
    instance: data.instance,
    messageId: sent.gatewayMessageId,
    chatJid: sent.chatJid ?? recipient.jid,
    phone: recipient.e164,
    direction: 'outbound',
    kind: 'text',
    text: data.text,
    timestamp: new Date(sent.sentAt).toISOString(),
    isGroup: recipient.isGroup,
  };
  // On the contact the CRM named for this send, when it named one (its phone may be the other
  // spelling of a Brazilian mobile); a contact deleted since falls back to resolving by phone.
  const job: CrmJob = crmJobSchema.parse({
    kind: 'message-activity',
    message,
    ...(data.contactId ? { step: 'create-activity', contactId: data.contactId } : {}),
  });
  await crmQueue.add('message-activity', job, { jobId: toJobId(messageActivityKey(message)) });
  return true;
}
