export { conflictingContactId } from './conflict.js';
export {
  type CrmClient,
  type CrmClientConfig,
  createCrmClient,
  MAX_SEARCH_PHONES,
  type WriteOptions,
} from './create-crm-client.js';
export {
  type Activity,
  activitySchema,
  type Contact,
  type ContactUpdate,
  contactSchema,
  contactSearchSchema,
  contactUpdateSchema,
  type NewActivity,
  type NewContact,
  newActivitySchema,
  newContactSchema,
} from './schemas.js';
export { USER_AGENT } from './user-agent.js';
