import type { z } from 'zod';

export interface PayloadIssue {
  path: string;
  message: string;
}

/**
 * The payload is not what the gateway sends for this event and never will be:
 * the worker should fail the job permanently (UnrecoverableError) so it stays
 * in the failed set for inspection, rather than retry it or drop it silently.
 * Carries paths and messages only, never payload values (no message text in logs).
 */
export class InvalidPayloadError extends Error {
  readonly source: string;
  readonly event: string;
  readonly issues: PayloadIssue[];

  constructor(source: string, event: string, issues: PayloadIssue[], options?: { cause?: unknown }) {
    const summary = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
    super(`invalid ${source} ${event} payload: ${summary}`, options);
    this.name = 'InvalidPayloadError';
    this.source = source;
    this.event = event;
    this.issues = issues;
  }

  static fromZod(source: string, event: string, error: z.ZodError): InvalidPayloadError {
    const issues = error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    return new InvalidPayloadError(source, event, issues);
  }
}
