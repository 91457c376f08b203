/**
 * `@zaprelay/gateway-clients/rules`: the gateways' rules (recipients, webhook setup targets) without
 * their HTTP clients. The ingress validates recipients and answers /api/setup from these and loads
 * the clients (axios) only when a setup call needs one; the main entry re-exports all of it.
 */

export type {
  EvolutionWebhookCalls,
  EvolutionWebhookConfig,
  EvolutionWebhookFound,
} from './evolution/webhook-calls.js';
export { InvalidRecipientError, isSameRecipient, parseRecipient, type Recipient } from './recipient.js';
export {
  applyEvolutionSetup,
  applyWuzapiSetup,
  checkEvolutionSetup,
  checkWuzapiSetup,
  type SetupApplied,
  type SetupCheck,
} from './setup/gateway-setup.js';
export { type SetupGateway, type SetupTarget, setupTarget } from './setup/setup-target.js';
export {
  EVOLUTION_SETUP_EVENTS,
  type SetupConfig,
  SetupNotPossibleError,
  WUZAPI_SETUP_EVENTS,
} from './setup/webhook-targets.js';
export type { WuzapiSessionCalls, WuzapiWebhookConfig } from './wuzapi/session-calls.js';
