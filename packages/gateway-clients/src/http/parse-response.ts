import { ExternalApiError } from '@zaprelay/core';
import type { z } from 'zod';

/**
 * A 2xx whose body is not what the gateway's source says it sends. Retrying
 * would not change the answer (and for a send would send again), so it is
 * permanent; only the paths of the mismatch are kept, never the values.
 */
export function parseResponse<T extends z.ZodType>(
  schema: T,
  data: unknown,
  service: string,
  operation: string,
): z.output<T> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const where = result.error.issues
    .slice(0, 3)
    .map((i) => i.path.join('.') || '(body)')
    .join(', ');
  throw new ExternalApiError(`${service} ${operation} failed: unexpected response (${where})`, {
    service,
    operation,
    kind: 'permanent',
    code: 'unexpected_response',
  });
}
