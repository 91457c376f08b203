import { ExternalApiError } from '@zaprelay/core';
import { conflictBodySchema } from './schemas.js';

/**
 * The id of the contact that already holds the phone, when `err` is
 * SuperCRM's 409 on `POST /contacts`; undefined for any other failure.
 */
export function conflictingContactId(err: unknown): string | undefined {
  if (!(err instanceof ExternalApiError) || err.status !== 409) return undefined;
  const body = conflictBodySchema.safeParse(err.responseBody);
  return body.success ? body.data.id : undefined;
}
