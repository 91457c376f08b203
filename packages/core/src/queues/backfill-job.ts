import { z } from 'zod';
import type { Config } from '../config/env-schema.js';
import { byInstance, listsInstance } from '../instances.js';
import { gatewaySourceSchema } from '../messages.js';

/** A reconciliation run: one instance's stored messages in `[since, until]` read back from its gateway. */
export const backfillJobSchema = z.object({
  instance: z.string().min(1),
  gateway: gatewaySourceSchema,
  /** Epoch milliseconds. */
  since: z.number().int().nonnegative(),
  until: z.number().int().nonnegative(),
  origin: z.enum(['api', 'schedule']),
  requestedAt: z.number().int(),
  /** Evolution: the end of the last time window read completely; a retried run resumes after it. */
  cursor: z.number().int().optional(),
});
export type BackfillJob = z.infer<typeof backfillJobSchema>;

/** What a run reports as it goes (the job's progress) and returns. */
export const backfillProgressSchema = z.object({
  /** Messages the gateway returned. */
  read: z.number().int().nonnegative(),
  /** Already stored (their webhook arrived, or an earlier run read them). */
  known: z.number().int().nonnegative(),
  /** Missing until now: queued as events, normalised and deduplicated like webhooks. */
  queued: z.number().int().nonnegative(),
  /** Not messages we can place (no id, statuses, broadcasts). */
  skipped: z.number().int().nonnegative(),
  /** Evolution: time windows read / to read. */
  windows: z.object({ done: z.number().int(), total: z.number().int() }).optional(),
  /** WUZAPI: chats read / to read. */
  chats: z.object({ done: z.number().int(), total: z.number().int() }).optional(),
  /** WUZAPI: false when the gateway keeps no history for this user (501): nothing could be checked. */
  historyAvailable: z.boolean().optional(),
  /** What limits this run's answer, in words. */
  notes: z.array(z.string()).default([]),
});
export type BackfillProgress = z.infer<typeof backfillProgressSchema>;

/** The gateway that serves an instance, from config: WUZAPI users by name, else Evolution. */
export function gatewayOfInstance(
  config: Pick<Config, 'EVOLUTION_API_URL' | 'EVOLUTION_INSTANCES' | 'WUZAPI_USER_TOKENS'>,
  instance: string,
): 'evolution' | 'wuzapi' | undefined {
  if (byInstance(config.WUZAPI_USER_TOKENS, instance) !== undefined) return 'wuzapi';
  if (listsInstance(config.EVOLUTION_INSTANCES, instance)) return 'evolution';
  // Without EVOLUTION_INSTANCES every instance of the API key is served; Evolution itself answers 404 for others.
  if (config.EVOLUTION_API_URL && !config.EVOLUTION_INSTANCES) return 'evolution';
  return undefined;
}

/** Every instance a scheduled reconciliation re-reads. */
export function configuredInstances(
  config: Pick<Config, 'EVOLUTION_API_URL' | 'EVOLUTION_INSTANCES' | 'WUZAPI_API_URL' | 'WUZAPI_USER_TOKENS'>,
): Array<{ instance: string; gateway: 'evolution' | 'wuzapi' }> {
  const evolution = config.EVOLUTION_API_URL ? (config.EVOLUTION_INSTANCES ?? []) : [];
  const wuzapi = config.WUZAPI_API_URL ? [...(config.WUZAPI_USER_TOKENS?.keys() ?? [])] : [];
  return [
    ...evolution.map((instance) => ({ instance, gateway: 'evolution' as const })),
    ...wuzapi.map((instance) => ({ instance, gateway: 'wuzapi' as const })),
  ];
}
