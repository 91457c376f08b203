import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body bytes exactly as received: signatures are checked over these, never a re-serialisation. */
    rawBody?: Buffer;
  }
}

/** Raised for a body that cannot be parsed; the error handler answers 400. */
export class UnparsableBodyError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly code: 'invalid_json' | 'invalid_form',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Only JSON and form bodies are accepted (anything else is 415), parsed from
 * buffers we keep. JSON goes through
 * Fastify's own parser, with `__proto__` and `constructor.prototype` keys
 * refused as errors (prototype poisoning).
 */
export function registerBodyParsers(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req: FastifyRequest, body: Buffer, done) => {
    req.rawBody = body;
    parseJson(req, body.toString('utf8'), (err, value) => {
      if (err)
        return done(new UnparsableBodyError('invalid_json', `body is not valid JSON: ${err.message}`), undefined);
      done(null, value);
    });
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer' },
    (req: FastifyRequest, body: Buffer, done) => {
      req.rawBody = body;
      try {
        // A null-prototype object: a field named __proto__ stays a plain field.
        const fields: Record<string, string> = Object.create(null);
        for (const [key, value] of new URLSearchParams(body.toString('utf8'))) fields[key] = value;
        done(null, fields);
      } catch (err) {
        done(
          new UnparsableBodyError('invalid_form', `body is not valid form data: ${(err as Error).message}`),
          undefined,
        );
      }
    },
  );
}
