import { type Config, ExternalApiError } from '@zaprelay/core';
import type { EvolutionClient, WuzapiClient } from '@zaprelay/gateway-clients';
import type { InstanceProbe } from './instance-monitor.js';

/** Evolution: EVOLUTION_INSTANCES, or every instance the API key sees; state as Evolution reports it. */
export function evolutionProbe(
  config: Pick<Config, 'EVOLUTION_INSTANCES'>,
  evolution: Pick<EvolutionClient, 'fetchInstances' | 'connectionState'>,
): InstanceProbe {
  return {
    source: 'evolution',
    listInstances: async () => config.EVOLUTION_INSTANCES ?? (await evolution.fetchInstances()),
    connectionState: (instance) => evolution.connectionState(instance),
  };
}

/**
 * WUZAPI: every user of WUZAPI_USER_TOKENS, through `GET /session/status`. A session that is
 * connected and logged in is `open`; any other cannot send or receive (a logged-out one needs
 * its QR code scanned again), so it is `close`.
 */
export function wuzapiProbe(
  config: Pick<Config, 'WUZAPI_USER_TOKENS'>,
  wuzapi: Pick<WuzapiClient, 'sessionStatus'>,
): InstanceProbe {
  return {
    source: 'wuzapi',
    listInstances: async () => [...(config.WUZAPI_USER_TOKENS?.keys() ?? [])],
    async connectionState(instance) {
      const token = config.WUZAPI_USER_TOKENS?.get(instance);
      if (!token) {
        throw new ExternalApiError(`instance ${instance} is not in WUZAPI_USER_TOKENS`, {
          service: 'wuzapi',
          operation: 'sessionStatus',
          kind: 'permanent',
        });
      }
      const status = await wuzapi.sessionStatus(token);
      return { state: status.connected && status.loggedIn ? 'open' : 'close' };
    },
  };
}
