import { type Logger, toExternalApiError } from '@zaprelay/core';

export interface CallContext {
  logger: Logger;
  service: string;
  operation: string;
  /** Safe identifiers only (instance name, message id): never numbers, text or credentials. */
  fields?: Record<string, unknown>;
}

/**
 * Runs one HTTP call: measures it, logs its outcome at debug level and turns
 * any failure into core's ExternalApiError (axios errors carry headers and
 * body, so they never leave this function unwrapped).
 */
export async function call<T>(ctx: CallContext, run: () => Promise<T>): Promise<{ value: T; durationMs: number }> {
  const started = performance.now();
  try {
    const value = await run();
    const durationMs = Math.round(performance.now() - started);
    ctx.logger.debug({ operation: ctx.operation, ...ctx.fields, durationMs }, `${ctx.service} call succeeded`);
    return { value, durationMs };
  } catch (err) {
    const wrapped = toExternalApiError(err, ctx.service, ctx.operation);
    ctx.logger.debug(
      {
        operation: ctx.operation,
        ...ctx.fields,
        durationMs: Math.round(performance.now() - started),
        kind: wrapped.kind,
        status: wrapped.status,
        code: wrapped.code,
      },
      `${ctx.service} call failed`,
    );
    throw wrapped;
  }
}
