import { type InternalMessage, messageActivityKey } from '@zaprelay/core';
import { describeMessage } from '@zaprelay/gateway-adapters';
import type { NewActivity } from '@zaprelay/supercrm-client';
import { activityMetadataFor } from './activity-metadata.js';
import { cachedContactId, contactGone, createContact, isNotFound, searchContact } from './contact-resolution.js';
import type { MessageActivityJob, StepContext, StepOutcome } from './step-context.js';

export function activityFor(
  message: InternalMessage,
  { userToken = message.userToken, chatSeq }: { userToken?: string; chatSeq?: number } = {},
): NewActivity {
  return {
    type: 'whatsapp_message',
    description: describeMessage(message),
    direction: message.direction,
    timestamp: message.timestamp,
    metadata: {
      message_id: message.messageId,
      instance: message.instance,
      ...(userToken ? { user_token: userToken } : {}),
      ...activityMetadataFor(message, chatSeq),
    },
  };
}

/**
 * resolve-contact (cache: no request; else search) → create-contact when the
 * CRM has none → create-activity. Each step sends one request at most.
 */
export async function messageActivityStep(
  job: MessageActivityJob,
  ctx: StepContext,
): Promise<StepOutcome<MessageActivityJob>> {
  const { message } = job;
  const gone = job.goneContactIds ?? [];
  switch (job.step) {
    case 'resolve-contact': {
      const id =
        (await cachedContactId(ctx, message.phone, gone)) ?? (await searchContact(ctx, message.phone, gone))?.id;
      return id
        ? { next: { ...job, step: 'create-activity', contactId: id } }
        : { next: { ...job, step: 'create-contact', contactId: undefined } };
    }
    case 'create-contact': {
      const contact = await createContact(
        ctx,
        { phone: message.phone, name: message.contactName, source: 'whatsapp' },
        gone,
      );
      return { next: { ...job, step: 'create-activity', contactId: contact.id } };
    }
    case 'create-activity': {
      const contactId = job.contactId;
      if (!contactId) return { next: { ...job, step: 'resolve-contact' } };
      try {
        const token = message.source === 'wuzapi' ? ctx.userTokenFor?.(message.instance) : undefined;
        const activity = await ctx.client.createActivity(
          contactId,
          activityFor(message, {
            userToken: token ?? message.userToken,
            chatSeq: job.activitySeq,
          }),
          {
            idempotencyKey: messageActivityKey(message),
          },
        );
        return { done: { contactId, activityId: activity.id } };
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const goneContactIds = await contactGone(ctx, message.phone, contactId, gone);
        return { next: { ...job, step: 'resolve-contact', contactId: undefined, goneContactIds } };
      }
    }
  }
}
