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
import { createContactCache } from './contact-cache.js';
import { createContactNames } from './contact-names.js';
import { type ContactUpdate, type ContactUpdateOutcome, createContactUpdates } from './contact-updates.js';
import { enqueueNotSentActivity, type NotSent } from './not-sent-activity.js';

/**
 * Queues a message's activity. The job id is the message's stable key, so a
 * redelivered webhook or Evolution's echo of our own send collapses into the
 * job already there (and the CRM's Idempotency-Key covers the rest).
 */
export async function enqueueMessageActivity(crmQueue: Queue, message: InternalMessage): Promise<void> {
  // A legacy webhook's user token stays out of Redis: the CRM worker takes it from WUZAPI_USER_TOKENS.
  const { userToken: _secret, ...kept } = message;
  const data = crmJobSchema.parse({
    kind: 'message-activity',
    message: kept,
    step: 'resolve-contact',
  } satisfies CrmJob);
  await crmQueue.add(data.kind, data, { jobId: toJobId(messageActivityKey(message)) });
}

/** Queues a create-or-update of the phone's contact (gateway contact events). */
export async function enqueueContactUpsert(
  crmQueue: Queue,
  contact: { phone: string; name?: string; source?: string },
): Promise<void> {
  const data = crmJobSchema.parse({ kind: 'contact-upsert', step: 'resolve-contact', ...contact });
  await crmQueue.add(data.kind, data);
}

/** The CRM work the events processor hands over (its `CrmWork` port). */
export interface CrmWork {
  messageActivity(message: InternalMessage): Promise<void>;
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
  const names = createContactNames(deps.connection, deps.config);
  const contactUpdated = createContactUpdates({ redis: deps.connection, config: deps.config, cache, names });
  return {
    messageActivity: (message) => enqueueMessageActivity(deps.crmQueue, message),
    contactUpsert: (phone, name) => enqueueContactUpsert(deps.crmQueue, { phone, name }),
    rememberContact: (phone, contactId) => cache.set(phone, contactId),
    contactUpdated,
    notSent: (input) => enqueueNotSentActivity(deps.crmQueue, input),
  };
}
