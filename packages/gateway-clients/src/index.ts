export {
  createEvolutionClient,
  type EvolutionClient,
  type EvolutionClientConfig,
  type EvolutionConnectionState,
  type EvolutionContact,
  type EvolutionSendTextInput,
  type EvolutionSentMessage,
  type EvolutionStoredSentMessage,
} from './evolution/create-evolution-client.js';
export type {
  EvolutionWebhookCalls,
  EvolutionWebhookConfig,
  EvolutionWebhookFound,
} from './evolution/webhook-calls.js';
export {
  createEvolutionHistoryReader,
  type EvolutionHistoryPage,
  type EvolutionHistoryReader,
  type EvolutionStoredRecord,
} from './history/evolution-history.js';
export {
  createWuzapiHistoryReader,
  WuzapiHistoryDisabledError,
  type WuzapiHistoryReader,
  type WuzapiHistoryRow,
} from './history/wuzapi-history.js';
export { isSendOutcomeUnknown, type SendFailureOutcome, sendFailureOutcome } from './http/send-outcome.js';
export { GatewayNotConfiguredError } from './not-configured.js';
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
export {
  createWuzapiClient,
  type WuzapiClient,
  type WuzapiClientConfig,
  type WuzapiSendTextInput,
  type WuzapiSentMessage,
} from './wuzapi/create-wuzapi-client.js';
export type {
  WuzapiContact,
  WuzapiSessionCalls,
  WuzapiSessionStatus,
  WuzapiWebhookConfig,
} from './wuzapi/session-calls.js';
