import type { FastifyError, FastifyInstance } from 'fastify';
import { QueueUnavailableError } from '../enqueue/queue-unavailable-error.js';
import { TooDeepError } from '../enqueue/strip-inline-media.js';
import { UnparsableBodyError } from './body-parsers.js';

export const RETRY_AFTER_SECONDS = 5;

/**
 * Every failure gets a status that tells the sender what to do: 4xx only for
 * what can never succeed, 503 (with Retry-After) for what may succeed later.
 * Never a 5xx for a body, whatever it holds.
 */
export function registerErrorHandler(app: FastifyInstance, limits: { bodyLimitBytes?: number } = {}): void {
  const bodyLimit = limits.bodyLimitBytes
    ? `body exceeds ${limits.bodyLimitBytes} bytes (WEBHOOK_BODY_LIMIT_BYTES)`
    : 'body exceeds the configured limit';
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof QueueUnavailableError) {
      req.log.warn({ reason: err.message }, 'queue unavailable');
      return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send({ error: 'queue_unavailable' });
    }
    if (err instanceof UnparsableBodyError) return reply.code(400).send({ error: err.code, message: err.message });
    if (err instanceof TooDeepError) {
      return reply.code(400).send({ error: 'invalid_payload', issues: [{ path: '(body)', message: err.message }] });
    }
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(413).send({ error: 'payload_too_large', message: bodyLimit });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.code(415).send({ error: 'unsupported_media_type', message: 'send application/json or form data' });
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.code(400).send({ error: 'invalid_json', message: 'body is empty' });
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return reply.code(400).send({ error: 'invalid_request', message: err.message });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500)
      return reply.code(status).send({ error: 'invalid_request', message: err.message });
    req.log.error({ err: { message: err.message, code: err.code } }, 'unexpected error');
    return reply.code(500).send({ error: 'internal_error' });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not_found' }));
}
