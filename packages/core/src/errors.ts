/**
 * How a failed call to an external API should be treated. Decided here and
 * only here; workers map `permanent` to BullMQ's UnrecoverableError and
 * `rate_limited` to a manual queue rate limit.
 */
export type FailureKind = 'retryable' | 'permanent' | 'rate_limited';

export function classifyStatus(status: number | undefined): FailureKind {
  if (status === undefined) return 'retryable'; // network error, timeout, lost response
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'retryable';
  if (status >= 400) return 'permanent';
  return 'retryable';
}

export interface ExternalApiErrorDetails {
  service: string;
  operation: string;
  kind: FailureKind;
  status?: number;
  /** Server-provided wait before the next call (Retry-After), in ms. */
  retryAfterMs?: number;
  /** Error code from the response body (`{"error": "<code>"}`) or the network layer. */
  code?: string;
  /** Parsed response body, kept for callers that need it (e.g. the id in a 409). */
  responseBody?: unknown;
}

/** Carries only what is safe to log: no headers, no request body. */
export class ExternalApiError extends Error {
  readonly service: string;
  readonly operation: string;
  readonly kind: FailureKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly code?: string;
  readonly responseBody?: unknown;

  constructor(message: string, details: ExternalApiErrorDetails) {
    super(message);
    this.name = 'ExternalApiError';
    this.service = details.service;
    this.operation = details.operation;
    this.kind = details.kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.code = details.code;
    this.responseBody = details.responseBody;
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      service: this.service,
      operation: this.operation,
      kind: this.kind,
      status: this.status,
      code: this.code,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

/** `Retry-After` as seconds or an HTTP date → milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
