import type { Logger } from '@zaprelay/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { lazyChildLoggerFactory } from './lazy-child-logger.js';

export type CreateFastifyOptions = Omit<FastifyServerOptions, 'logger' | 'loggerInstance' | 'trustProxy'> & {
  /** TRUST_PROXY: Fastify takes a hop count too at runtime, though its types leave numbers out. */
  trustProxy?: boolean | number | string;
};

/**
 * Fastify with our pino logger. pino's own Logger type is wider than the one
 * Fastify is declared with, so the narrowing happens here, once. Request
 * loggers are made only when a request writes a line (lazy-child-logger.ts).
 */
export function createFastify(logger: Logger, options: CreateFastifyOptions = {}): FastifyInstance {
  return Fastify({
    ...options,
    trustProxy: options.trustProxy as FastifyServerOptions['trustProxy'],
    loggerInstance: logger as FastifyBaseLogger,
    childLoggerFactory: lazyChildLoggerFactory,
  });
}
