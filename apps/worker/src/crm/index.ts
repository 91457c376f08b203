export { type ContactCache, contactCacheKey, createContactCache } from './contact-cache.js';
export { type ContactNames, contactNameKey, createContactNames } from './contact-names.js';
export { type ContactUpdate, type ContactUpdateOutcome, createContactUpdates } from './contact-updates.js';
export { CRM_LIMITER_MARGIN, CRM_LIMITER_MIN_SLACK_MS, crmLimiterFor, crmSlotMs } from './crm-limiter.js';
export { type CrmWorkerDeps, createCrmWorker } from './crm-worker.js';
export { type CrmWork, createCrmWork, enqueueContactUpsert, enqueueMessageActivity } from './enqueue.js';
export { activityFor } from './message-activity-steps.js';
export { enqueueNotSentActivity, type NotSent, notSentDescription } from './not-sent-activity.js';
export type { CrmJobResult } from './step-context.js';
