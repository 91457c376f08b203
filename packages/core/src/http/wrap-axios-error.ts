import type { AxiosError } from 'axios';
import { classifyStatus, ExternalApiError, parseRetryAfter } from '../errors.js';

/**
 * axios's own isAxiosError is this same flag test; importing it would load all of axios into every
 * process that imports @zaprelay/core, the ingress too, which makes no HTTP calls on its hot path.
 */
function isAxiosError(err: unknown): err is AxiosError {
  return typeof err === 'object' && err !== null && (err as { isAxiosError?: unknown }).isAxiosError === true;
}

/**
 * axios errors carry the whole request config (Authorization header, body);
 * this keeps only what is safe to log and classifies the failure once.
 */
export function toExternalApiError(err: unknown, service: string, operation: string): ExternalApiError {
  if (err instanceof ExternalApiError) return err;
  if (!isAxiosError(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return new ExternalApiError(`${service} ${operation} failed: ${message}`, {
      service,
      operation,
      kind: 'retryable',
    });
  }
  const status = err.response?.status;
  const body = err.response?.data as { error?: unknown; message?: unknown } | undefined;
  const bodyCode = typeof body?.error === 'string' ? body.error : undefined;
  const code = bodyCode ?? err.code;
  const retryAfter = err.response?.headers?.['retry-after'];
  const what = status
    ? `HTTP ${status}${bodyCode ? ` ${bodyCode}` : ''}`
    : `no response (${err.code ?? 'network error'})`;
  return new ExternalApiError(`${service} ${operation} failed: ${what}`, {
    service,
    operation,
    kind: classifyStatus(status),
    status,
    code,
    retryAfterMs: parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined),
    responseBody: err.response?.data,
  });
}
