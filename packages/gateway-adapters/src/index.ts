export { createGatewayAdapters, type GatewayAdapters, normaliseGatewayEvent } from './adapters.js';
export { describeMessage } from './describe-message.js';
export { canonicalEvolutionEvent, createEvolutionAdapter, evolutionEnvelopeSchema } from './evolution-adapter.js';
export type { GatewayAdapter } from './gateway-adapter.js';
export { applyGroupPolicy, type GroupPolicy } from './group-policy.js';
export { InvalidPayloadError, type PayloadIssue } from './invalid-payload-error.js';
export { type JidKind, jidKind, phoneFromJid } from './jid.js';
export {
  type IgnoreReason,
  ignoreReasonSchema,
  type MessageStatus,
  messageStatusSchema,
  type NormalisedEvent,
  type NormalisedEventType,
  normalisedEventSchema,
  type SkipReason,
  skipReasonSchema,
} from './normalised-event.js';
export {
  createWuzapiAdapter,
  unwrapWuzapiPayload,
  type WuzapiPayload,
  wuzapiJsonDataSchema,
  wuzapiPayloadSchema,
} from './wuzapi-adapter.js';
