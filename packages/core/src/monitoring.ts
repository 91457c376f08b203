import { z } from 'zod';

/**
 * What the monitor (worker) writes and the ingress' /api/status and the
 * dashboard read: the contract between them lives here.
 */
export const healthStatusSchema = z.enum(['healthy', 'degraded', 'down', 'unknown']);
export type HealthStatus = z.infer<typeof healthStatusSchema>;

export const instanceStatusSchema = z.object({
  instance: z.string(),
  source: z.enum(['evolution', 'wuzapi']).default('evolution'),
  /** Gateway connection state: open, connecting, close, or unknown. */
  state: z.string(),
  status: healthStatusSchema,
  checkedAt: z.iso.datetime(),
  responseTimeMs: z.number().nonnegative().optional(),
  error: z.string().optional(),
});
export type InstanceStatus = z.infer<typeof instanceStatusSchema>;

export const historyEntrySchema = z.object({
  at: z.iso.datetime(),
  state: z.string(),
  responseTimeMs: z.number().nonnegative().optional(),
  error: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const alertSchema = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  /**
   * healthStatusChanged (with from/to), or a condition: jobsFailing, webhooksRefused,
   * jobsWaitingTooLong, breakerOpen… (subject and reason say which and why).
   */
  type: z.string().default('healthStatusChanged'),
  subject: z.string(),
  from: healthStatusSchema.optional(),
  to: healthStatusSchema.optional(),
  reason: z.string(),
});
export type Alert = z.infer<typeof alertSchema>;

/** Redis keys of the monitor, under the queue prefix so tests stay isolated. */
export function monitorKeys(prefix: string) {
  return {
    /** Hash: instance name → InstanceStatus JSON. */
    instances: `${prefix}:monitor:instances`,
    /** Hash: api name (supercrm, evolution, wuzapi) → { status, ... } JSON. */
    apis: `${prefix}:monitor:apis`,
    /** List (newest first, capped) of HistoryEntry JSON for one instance. */
    history: (instance: string) => `${prefix}:monitor:history:${instance}`,
    /** List (newest first, capped) of Alert JSON. */
    alerts: `${prefix}:monitor:alerts`,
    /** Counter per webhook source of 401 refusals since the last alert check (read and reset with GETDEL). */
    refused: (source: string) => `${prefix}:monitor:refused:${source}`,
    /** Sorted set of CRM requests sent (score = ms timestamp), trimmed to the last window. */
    crmRequests: `${prefix}:monitor:crm-requests`,
    /** Hash: `gateway:instanceKey` → WebhookSetupRecord JSON, the webhooks /api/setup/* set and the monitor keeps. */
    webhookSetups: `${prefix}:monitor:webhook-setups`,
    /** String with a TTL: the next read-back of one kept webhook is not due before it expires. */
    webhookCheck: (gateway: string, instance: string) => `${prefix}:monitor:webhook-check:${gateway}:${instance}`,
    /** Hash: `<lid>\n<message id>` → message JSON, for @lid messages waiting for their phone. */
    lidWaiting: `${prefix}:lid:waiting`,
  };
}

/** A webhook zaprelay set up at a gateway and keeps there (the monitor re-applies it when the gateway lost it). */
export const webhookSetupRecordSchema = z.object({
  gateway: z.enum(['evolution', 'wuzapi']),
  /** The gateway's own spelling of the instance. */
  instance: z.string().min(1),
  appliedAt: z.iso.datetime(),
});
export type WebhookSetupRecord = z.infer<typeof webhookSetupRecordSchema>;
