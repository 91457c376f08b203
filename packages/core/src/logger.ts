import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Every path that may carry a secret or message content, in one place.
 * pino's redaction matches one level per wildcard, so the common nestings are listed.
 */
export const REDACT_PATHS = [
  'apikey',
  'apiKey',
  'token',
  'password',
  'secret',
  'authorization',
  'text',
  'caption',
  'body',
  'conversation',
  '*.apikey',
  '*.apiKey',
  '*.token',
  '*.password',
  '*.secret',
  '*.authorization',
  '*.Authorization',
  '*.text',
  '*.caption',
  '*.body',
  '*.Body',
  '*.conversation',
  '*.*.text',
  '*.*.caption',
  '*.*.conversation',
  'req.headers.authorization',
  'req.headers.apikey',
  'req.headers.token',
  'req.headers["x-webhook-token"]',
  'req.headers["x-hmac-signature"]',
  'req.headers["x-supercrm-signature"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers.apikey',
  'headers.token',
  'config.headers',
  'config.data',
];

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * Fastify logs every request with its URL, and a query string can carry a
 * secret (WUZAPI's `?token=`): redaction cannot reach inside a string, so the
 * request is logged by its path alone.
 */
function requestWithoutQuery(req: LoggedRequest) {
  return {
    method: req.method,
    url: req.url?.split('?', 1)[0],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export interface LoggerConfig {
  LOG_LEVEL: string;
}

export function createLogger(
  config: LoggerConfig,
  options: { name: string; destination?: pino.DestinationStream } = { name: 'zaprelay' },
): Logger {
  const opts: LoggerOptions = {
    name: options.name,
    level: config.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { req: requestWithoutQuery },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
