import type { WebhookEventJob } from '@zaprelay/core';
import {
  type EvolutionEnvelope,
  WUZAPI_FIXTURE_USER,
  type WuzapiJsonData,
  wuzapiFormBody,
  wuzapiJsonBody,
  wuzapiLegacyFormBody,
} from '@zaprelay/test-kit';

/** Fixed so expectations can name it; the adapters only use it as a last-resort timestamp. */
export const RECEIVED_AT = Date.parse('2026-11-22T15:00:00.000Z');

/** The job the ingress queues for an Evolution webhook: the envelope as received. */
export function evolutionJob(envelope: EvolutionEnvelope | Record<string, unknown>): WebhookEventJob {
  return {
    source: 'evolution',
    event: String(envelope.event),
    instance: String(envelope.instance),
    receivedAt: RECEIVED_AT,
    payload: JSON.parse(JSON.stringify(envelope)),
  };
}

export type WuzapiWire = 'form' | 'form-raw-jsondata' | 'json' | 'legacy-form';

/**
 * The job the ingress queues for a WUZAPI webhook, starting from the exact
 * wire bytes: a form body is parsed back into fields (jsonData parsed, or left
 * as the string), a JSON body into the object.
 */
export function wuzapiJob(
  jsonData: WuzapiJsonData,
  wire: WuzapiWire = 'form',
  token = 'user-token-1',
): WebhookEventJob {
  const base = {
    source: 'wuzapi' as const,
    event: jsonData.type,
    instance: WUZAPI_FIXTURE_USER.instanceName,
    receivedAt: RECEIVED_AT,
  };
  if (wire === 'json') {
    return { ...base, auth: { ...WUZAPI_FIXTURE_USER }, payload: JSON.parse(wuzapiJsonBody(jsonData)) };
  }
  if (wire === 'legacy-form') {
    const form = Object.fromEntries(new URLSearchParams(wuzapiLegacyFormBody(jsonData, token)));
    return {
      ...base,
      instance: token,
      auth: { token },
      payload: { ...form, jsonData: JSON.parse(form.jsonData ?? '') },
    };
  }
  const form = Object.fromEntries(new URLSearchParams(wuzapiFormBody(jsonData)));
  return {
    ...base,
    auth: { ...WUZAPI_FIXTURE_USER },
    payload: wire === 'form' ? { ...form, jsonData: JSON.parse(form.jsonData ?? '') } : form,
  };
}
