import { byInstance, type Config, configuredSpelling } from '@zaprelay/core';
import type { EvolutionClient, WuzapiClient } from '@zaprelay/gateway-clients';
import { UnrecoverableError } from 'bullmq';
import type { ContactSource } from './contact-sync-worker.js';

export interface ContactSourceDeps {
  config: Pick<Config, 'WUZAPI_USER_TOKENS' | 'EVOLUTION_INSTANCES'>;
  evolution?: Pick<EvolutionClient, 'findContacts'>;
  wuzapi?: Pick<WuzapiClient, 'contacts'>;
}

/**
 * One contact source for every instance: an instance in WUZAPI_USER_TOKENS reads its user's
 * contact list from WUZAPI (`GET /user/contacts`), any other instance Evolution's stored contacts.
 */
export function routeContactSources({ config, evolution, wuzapi }: ContactSourceDeps): ContactSource {
  return {
    async findContacts(instance) {
      const token = byInstance(config.WUZAPI_USER_TOKENS, instance);
      if (token) {
        if (!wuzapi)
          throw new UnrecoverableError(`instance ${instance} is a WUZAPI user, but WUZAPI_API_URL is not set`);
        return (await wuzapi.contacts(token)).map((c) => ({ remoteJid: c.jid, pushName: c.name }));
      }
      if (!evolution) {
        throw new UnrecoverableError(
          `instance ${instance} is not in WUZAPI_USER_TOKENS and EVOLUTION_API_URL is not set: no gateway to read its contacts from`,
        );
      }
      return evolution.findContacts(configuredSpelling(config.EVOLUTION_INSTANCES, instance));
    },
  };
}
