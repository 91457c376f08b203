import { byInstance, type Config, configuredSpelling, instanceKey } from '@zaprelay/core';
import type { EvolutionWebhookCalls } from '../evolution/webhook-calls.js';
import type { WuzapiSessionCalls } from '../wuzapi/session-calls.js';
import {
  applyEvolutionSetup,
  applyWuzapiSetup,
  checkEvolutionSetup,
  checkWuzapiSetup,
  type SetupApplied,
  type SetupCheck,
} from './gateway-setup.js';
import type { SetupConfig } from './webhook-targets.js';

export type SetupGateway = 'evolution' | 'wuzapi';

/** One instance's webhook setup at its gateway: the gateway's spelling of it, and the two calls. */
export interface SetupTarget {
  instance: string;
  apply(): Promise<SetupApplied>;
  check(): Promise<SetupCheck>;
}

export interface SetupTargetDeps {
  config: SetupConfig & Pick<Config, 'EVOLUTION_INSTANCES' | 'WUZAPI_USER_TOKENS'>;
  evolution?: EvolutionWebhookCalls;
  wuzapi?: WuzapiSessionCalls;
}

/**
 * The setup of `name` at `gateway`, or why there is none: the gateway is not configured here, or
 * (WUZAPI) the instance is not a user of WUZAPI_USER_TOKENS. Names match case-insensitively; an
 * Evolution instance keeps its EVOLUTION_INSTANCES spelling, as Evolution's own names are exact.
 */
export function setupTarget(
  { config, evolution, wuzapi }: SetupTargetDeps,
  gateway: SetupGateway,
  name: string,
): SetupTarget | 'gateway-not-configured' | 'unknown-instance' {
  if (gateway === 'evolution') {
    if (!evolution) return 'gateway-not-configured';
    const instance = configuredSpelling(config.EVOLUTION_INSTANCES, name);
    return {
      instance,
      apply: () => applyEvolutionSetup(evolution, instance, config),
      check: () => checkEvolutionSetup(evolution, instance, config),
    };
  }
  if (!wuzapi) return 'gateway-not-configured';
  const instance = instanceKey(name);
  const token = byInstance(config.WUZAPI_USER_TOKENS, instance);
  if (!token) return 'unknown-instance';
  return {
    instance,
    apply: () => applyWuzapiSetup(wuzapi, instance, token, config),
    check: () => checkWuzapiSetup(wuzapi, instance, token, config),
  };
}
