import { z } from 'zod';

export const contactSyncJobSchema = z.object({
  instance: z.string().min(1),
  origin: z.enum(['api', 'schedule']),
  requestedAt: z.number().int(),
  step: z.enum(['fetch', 'children', 'done']).default('fetch'),
  total: z.number().int().nonnegative().optional(),
  skipped: z.number().int().nonnegative().optional(),
});
export type ContactSyncJob = z.infer<typeof contactSyncJobSchema>;

export interface ContactSyncResult {
  instance: string;
  total: number;
  synced: number;
  failed: number;
  skipped: number;
}
