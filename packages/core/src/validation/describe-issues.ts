import type { z } from 'zod';

/**
 * A zod failure as one line of `path: message` pairs, for a job's failedReason
 * or a log: paths and messages only, never the values (message text, phones).
 */
export function describeIssues(error: z.ZodError, root = '(root)'): string {
  return error.issues.map((i) => `${i.path.join('.') || root}: ${i.message}`).join('; ');
}
