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
  'req.query.token',
  'headers.authorization',
  'headers.apikey',
  'headers.token',
  'config.headers',
  'config.data',
];

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
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
