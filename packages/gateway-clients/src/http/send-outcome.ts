import type { ExternalApiError } from '@zaprelay/core';

/** Failures that happen before the request reaches the gateway: nothing can have been sent. */
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_INVALID_URL',
]);

/**
 * What a failed send tells us about the message:
 * - `not-sent`: the gateway answered with an error, or was never reached;
 * - `unknown`: the request left but no answer came back (timeout, connection
 *   reset, response dropped), or a proxy in front of the gateway gave up
 *   waiting for it (502/504); a gateway without idempotency must check
 *   before sending again;
 * - `sent`: a 2xx whose body we could not read; the message went out.
 */
export type SendFailureOutcome = 'not-sent' | 'unknown' | 'sent';

export function sendFailureOutcome(err: ExternalApiError): SendFailureOutcome {
  if (err.code === 'unexpected_response') return 'sent';
  if (err.status !== undefined) return err.status === 502 || err.status === 504 ? 'unknown' : 'not-sent';
  return err.code && NOT_CONNECTED_CODES.has(err.code) ? 'not-sent' : 'unknown';
}

export function isSendOutcomeUnknown(err: ExternalApiError): boolean {
  return sendFailureOutcome(err) === 'unknown';
}
