import {
  type Config,
  type CrmJob,
  crmJobSchema,
  type InternalMessage,
  messageActivityKey,
  type RedisClient,
  toJobId,
} from '@zaprelay/core';
import type { Queue } from 'bullmq';
import { type ChatOrder, createChatOrder, type EntryWrites } from './chat-order.js';
import { createContactCache } from './contact-cache.js';
import { createContactNames } from './contact-names.js';
import { type ContactUpdate, type ContactUpdateOutcome, createContactUpdates } from './contact-updates.js';
import { createContactUpserts } from './contact-upserts.js';
import { CRM_PRIORITY } from './crm-priorities.js';
import { enqueueNotSentActivity, type NotSent } from './not-sent-activity.js';

/**
 * Queues a message's activity. The job id is the message's stable key, so a
 * redelivered webhook or Evolution's echo of our own send collapses into the
 * job already there (and the CRM's Idempotency-Key covers the rest).
 */
export async function enqueueMessageActivity(
  crmQueue: Queue,
  message: InternalMessage,
  order?: ChatOrder,
  alongside?: EntryWrites,
): Promise<void> {
  const jobId = toJobId(messageActivityKey(message));
  // A legacy webhook's user token stays out of Redis: the CRM worker takes it from WUZAPI_USER_TOKENS.
  const { userToken: _secret, ...kept } = message;
  // No priority: ahead of every contact upsert (crm-priorities.ts).
  const job = (chatSeq?: number) => {
    const data = crmJobSchema.parse({
      kind: 'message-activity',
      message: kept,
      step: 'resolve-contact',
      chatSeq,
    } satisfies CrmJob);
    return { name: data.kind, data };
  };
  if (order) await order.enter(message, jobId, job, alongside);
  else {
    if (alongside) throw new Error('writes alongside a message activity need its chat order');
    const { name, data } = job();
    await crmQueue.add(name, data, { jobId });
  }
}

/** Queues a create-or-update of the phone's contact (gateway contact events). */
export async function enqueueContactUpsert(
  crmQueue: Queue,
  contact: { phone: string; name?: string; source?: string },
): Promise<void> {
  const data = crmJobSchema.parse({ kind: 'contact-upsert', step: 'resolve-contact', ...contact });
  await crmQueue.add(data.kind, data, {
    priority: CRM_PRIORITY.contactUpsert,
    // One pending upsert per phone; it applies the newest name asked for (contact-upserts.ts).
    deduplication: { id: toJobId(`contact-upsert:${contact.phone}`) },
  });
}

/** The CRM work the events processor hands over (its `CrmWork` port). */
export interface CrmWork {
  /** `alongside`: the caller's writes, in the step that queues it (one Redis only; chat-order.ts). */
  messageActivity(message: InternalMessage, alongside?: EntryWrites): Promise<void>;
  contactUpsert(phone: string, name: string | undefined): Promise<void>;
  /** A contact the CRM told us about (`contact.updated`): cached, saving a search. */
  rememberContact(phone: string, contactId: string): Promise<void>;
  /** SuperCRM's `contact.updated`, applied in `updated_at` order (contact-updates.ts). */
  contactUpdated(contact: ContactUpdate): Promise<ContactUpdateOutcome>;
  /** A send that failed for good, as an activity the agent sees. */
  notSent(input: NotSent): Promise<void>;
}

export function createCrmWork(deps: {
  crmQueue: Queue;
  connection: RedisClient;
  config: Pick<Config, 'QUEUE_PREFIX' | 'CRM_CONTACT_CACHE_TTL_SECONDS'>;
}): CrmWork {
  const cache = createContactCache(deps.connection, deps.config);
  const order = createChatOrder(deps.connection, deps.crmQueue, deps.config);
  const upserts = createContactUpserts(deps.connection, cache, deps.config);
  const names = createContactNames(deps.connection, deps.config);
  const contactUpdated = createContactUpdates({ redis: deps.connection, config: deps.config, cache, names });
  return {
    messageActivity: (message, alongside) => enqueueMessageActivity(deps.crmQueue, message, order, alongside),
    async contactUpsert(phone, name) {
      if (await upserts.unchanged(phone, name)) return;
      await upserts.want(phone, name);
      await enqueueContactUpsert(deps.crmQueue, { phone, name });
    },
    rememberContact: (phone, contactId) => cache.set(phone, contactId),
    contactUpdated,
    notSent: (input) => enqueueNotSentActivity(deps.crmQueue, input),
  };
}
