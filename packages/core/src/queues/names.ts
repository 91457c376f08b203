/**
 * Every queue of the system. CRM calls and gateway calls sit on separate
 * queues because a manual rate limit (on a 429) pauses the whole queue.
 */
export const QUEUES = {
  /** Webhook events as received (Evolution, WUZAPI, SuperCRM); no external calls. */
  events: 'events',
  /** One SuperCRM HTTP request per processing, under the CRM's rate limit. */
  crm: 'crm',
  /** Sends through a gateway (Evolution or WUZAPI). */
  outbound: 'outbound',
  /** Instance health checks and their schedule. */
  monitor: 'monitor',
  /** Alert deliveries to ALERT_WEBHOOK_URL. */
  alerts: 'alerts',
  /** Contact-book syncs (a flow: one parent, a child per contact). */
  contactSync: 'contact-sync',
  /** Reconciliation runs: a gateway's stored messages read back into the events queue. */
  backfill: 'backfill',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const ALL_QUEUES: QueueName[] = Object.values(QUEUES);
