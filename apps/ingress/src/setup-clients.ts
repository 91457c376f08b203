import type { Config, Logger } from '@zaprelay/core';
import { createEvolutionClient, createWuzapiClient } from '@zaprelay/gateway-clients';

/** The gateway clients /api/setup/* talks through; a gateway whose variables are unset has none. */
export function setupClients(config: Config, logger: Logger) {
  return {
    evolution: config.EVOLUTION_API_URL && config.EVOLUTION_API_KEY ? createEvolutionClient(config, logger) : undefined,
    wuzapi: config.WUZAPI_API_URL ? createWuzapiClient(config, logger) : undefined,
  };
}
