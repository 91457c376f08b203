import type { CrmJob } from '@zaprelay/core';
import type { CrmClient } from '@zaprelay/supercrm-client';
import type { ContactCache } from './contact-cache.js';
import type { ContactNames } from './contact-names.js';

export type MessageActivityJob = Extract<CrmJob, { kind: 'message-activity' }>;
export type ContactUpsertJob = Extract<CrmJob, { kind: 'contact-upsert' }>;

/** What a finished CRM job returns (its BullMQ return value). */
export interface CrmJobResult {
  contactId: string;
  activityId?: string;
}

/** A step either finishes the job or says what the job's next step is. */
export type StepOutcome<J> = { done: CrmJobResult } | { next: J };

export interface StepContext {
  /** Allows one request per processing (see one-request-budget.ts). */
  client: CrmClient;
  cache: ContactCache;
  names: ContactNames;
  now(): string;
}
