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
 * - `not-sent`: the gateway refused the request (4xx), or was never reached;
 * - `unknown`: the request left but no answer came back (timeout, connection
 *   reset, response dropped), or a server error (5xx, 408): Evolution can hand
 *   the message to WhatsApp and then fail on its own database, and a proxy in
 *   front of it can give up waiting; a gateway without idempotency must check
 *   before sending again;
 * - `sent`: a 2xx whose body we could not read; the message went out.
 */
export type SendFailureOutcome = 'not-sent' | 'unknown' | 'sent';

export function sendFailureOutcome(err: ExternalApiError): SendFailureOutcome {
  if (err.code === 'unexpected_response') return 'sent';
  if (err.status !== undefined) return err.status >= 500 || err.status === 408 ? 'unknown' : 'not-sent';
  return err.code && NOT_CONNECTED_CODES.has(err.code) ? 'not-sent' : 'unknown';
}

export function isSendOutcomeUnknown(err: ExternalApiError): boolean {
  return sendFailureOutcome(err) === 'unknown';
}
