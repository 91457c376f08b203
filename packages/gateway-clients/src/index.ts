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
// Recipients and webhook setup: also `@zaprelay/gateway-clients/rules`, without the HTTP clients.
export * from './rules.js';
export {
  createWuzapiClient,
  type WuzapiClient,
  type WuzapiClientConfig,
  type WuzapiSendTextInput,
  type WuzapiSentMessage,
} from './wuzapi/create-wuzapi-client.js';
export type { WuzapiContact, WuzapiSessionStatus } from './wuzapi/session-calls.js';
