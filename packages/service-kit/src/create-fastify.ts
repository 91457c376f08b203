import type { Logger } from '@zaprelay/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';

/**
 * Fastify with our pino logger. pino's own Logger type is wider than the one
 * Fastify is declared with, so the narrowing happens here, once.
 */
export function createFastify(
  logger: Logger,
  options: Omit<FastifyServerOptions, 'logger' | 'loggerInstance'> = {},
): FastifyInstance {
  return Fastify({ ...options, loggerInstance: logger as FastifyBaseLogger });
}
