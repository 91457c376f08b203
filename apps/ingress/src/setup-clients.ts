import type { Config, Logger } from '@zaprelay/core';
import type { EvolutionWebhookCalls, WuzapiSessionCalls } from '@zaprelay/gateway-clients/rules';

type Clients = typeof import('@zaprelay/gateway-clients');

/**
 * The gateway clients /api/setup/* talks through; a gateway whose variables are unset has none.
 * Their module (and axios with it) is loaded at the first setup call, not at start: an operator's
 * occasional call, while every webhook-only ingress would otherwise carry axios in its heap.
 */
export function setupClients(config: Config, logger: Logger) {
  let clients: Promise<Clients> | undefined;
  const load = () => {
    clients ??= import('@zaprelay/gateway-clients');
    return clients;
  };
  const once = <T>(create: (m: Clients) => T) => {
    let made: Promise<T> | undefined;
    return () => {
      made ??= load().then(create);
      return made;
    };
  };
  const evolution = once((m) => m.createEvolutionClient(config, logger));
  const wuzapi = once((m) => m.createWuzapiClient(config, logger));
  const evolutionCalls: EvolutionWebhookCalls = {
    setWebhook: async (...args) => (await evolution()).setWebhook(...args),
    findWebhook: async (...args) => (await evolution()).findWebhook(...args),
  };
  const wuzapiCalls: WuzapiSessionCalls = {
    setWebhook: async (...args) => (await wuzapi()).setWebhook(...args),
    getWebhook: async (...args) => (await wuzapi()).getWebhook(...args),
    setHmacKey: async (...args) => (await wuzapi()).setHmacKey(...args),
    sessionStatus: async (...args) => (await wuzapi()).sessionStatus(...args),
    contacts: async (...args) => (await wuzapi()).contacts(...args),
  };
  return {
    evolution: config.EVOLUTION_API_URL && config.EVOLUTION_API_KEY ? evolutionCalls : undefined,
    wuzapi: config.WUZAPI_API_URL ? wuzapiCalls : undefined,
  };
}
