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
export { isSendOutcomeUnknown, type SendFailureOutcome, sendFailureOutcome } from './http/send-outcome.js';
export { GatewayNotConfiguredError } from './not-configured.js';
export { InvalidRecipientError, isSameRecipient, parseRecipient, type Recipient } from './recipient.js';
export {
  createWuzapiClient,
  type WuzapiClient,
  type WuzapiClientConfig,
  type WuzapiSendTextInput,
  type WuzapiSentMessage,
} from './wuzapi/create-wuzapi-client.js';
