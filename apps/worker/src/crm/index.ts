export { type ContactCache, contactCacheKey, createContactCache } from './contact-cache.js';
export { CRM_LIMITER_MARGIN, CRM_LIMITER_MIN_SLACK_MS, crmLimiterFor } from './crm-limiter.js';
export { type CrmWorkerDeps, createCrmWorker } from './crm-worker.js';
export { type CrmWork, createCrmWork, enqueueContactUpsert, enqueueMessageActivity } from './enqueue.js';
export { activityFor } from './message-activity-steps.js';
export type { CrmJobResult } from './step-context.js';
