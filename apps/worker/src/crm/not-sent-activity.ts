import { type CrmJob, crmJobSchema, type InternalMessage, messageActivityKey, toJobId } from '@zaprelay/core';
import type { Queue } from 'bullmq';

/** A send that failed for good, told to the agent on the contact. */
export interface NotSent {
  /** Stable per send (the CRM event id, the outbound job id): a retry files one activity, not two. */
  key: string;
  phone: string;
  text: string;
  reason: string;
  instance?: string;
  gateway?: InternalMessage['source'];
  /** The contact the CRM named in `message.send_requested`. */
  contactId?: string;
}

const EXCERPT = 200;

export function notSentDescription(reason: string, text: string): string {
  const excerpt = text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text;
  return `[not sent] ${reason}: ${excerpt}`;
}

/**
 * Queues an outbound activity saying the message was not sent, and why, so
 * the agent sees it in the CRM (operators see the failed job too). It goes on
 * the contact the CRM named when it named one, else on the phone's contact.
 */
export async function enqueueNotSentActivity(crmQueue: Queue, input: NotSent): Promise<void> {
  const message: InternalMessage = {
    source: input.gateway ?? 'evolution',
    instance: input.instance ?? '(none)',
    messageId: `not-sent:${input.key}`,
    chatJid: `${input.phone.slice(1)}@s.whatsapp.net`,
    phone: input.phone,
    direction: 'outbound',
    kind: 'text',
    text: notSentDescription(input.reason, input.text),
    timestamp: new Date().toISOString(),
    isGroup: false,
  };
  const job: CrmJob = crmJobSchema.parse({
    kind: 'message-activity',
    message,
    ...(input.contactId ? { step: 'create-activity', contactId: input.contactId } : {}),
  });
  await crmQueue.add(job.kind, job, { jobId: toJobId(messageActivityKey(message)) });
}
