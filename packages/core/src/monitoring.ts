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
  subject: z.string(),
  from: healthStatusSchema,
  to: healthStatusSchema,
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
    /** Sorted set of CRM requests sent (score = ms timestamp), trimmed to the last window. */
    crmRequests: `${prefix}:monitor:crm-requests`,
    /** Hash: `<lid>\n<message id>` → message JSON, for @lid messages waiting for their phone. */
    lidWaiting: `${prefix}:lid:waiting`,
  };
}
