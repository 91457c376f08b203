import type { Logger } from '@zaprelay/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { lazyChildLoggerFactory } from './lazy-child-logger.js';

export type CreateFastifyOptions = Omit<FastifyServerOptions, 'logger' | 'loggerInstance' | 'trustProxy'> & {
  /** TRUST_PROXY: Fastify takes a hop count too at runtime, though its types leave numbers out. */
  trustProxy?: boolean | number | string;
  /**
   * false for an app whose routes declare no JSON schema (they validate with zod): Fastify then never
   * loads ajv and fast-json-stringify (about 110 modules and 1.2 MB of heap, 40 ms of start-up).
   * A route that declares one anyway fails at start-up, loudly, instead of going unvalidated.
   */
  jsonSchemas?: boolean;
};

function noJsonSchemas(): never {
  throw new Error('this app validates with zod: its routes declare no JSON schema (createFastify jsonSchemas: false)');
}

/**
 * Fastify with our pino logger. pino's own Logger type is wider than the one
 * Fastify is declared with, so the narrowing happens here, once. Request
 * loggers are made only when a request writes a line (lazy-child-logger.ts).
 */
export function createFastify(logger: Logger, options: CreateFastifyOptions = {}): FastifyInstance {
  const { jsonSchemas = true, ...rest } = options;
  return Fastify({
    ...rest,
    ...(jsonSchemas
      ? {}
      : { schemaController: { compilersFactory: { buildValidator: noJsonSchemas, buildSerializer: noJsonSchemas } } }),
    trustProxy: options.trustProxy as FastifyServerOptions['trustProxy'],
    loggerInstance: logger as FastifyBaseLogger,
    childLoggerFactory: lazyChildLoggerFactory,
  });
}
