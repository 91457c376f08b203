import { byInstance, type Config } from '@zaprelay/core';
import type { EvolutionWebhookConfig } from '../evolution/webhook-calls.js';
import type { WuzapiWebhookConfig } from '../wuzapi/session-calls.js';

export type SetupConfig = Pick<
  Config,
  | 'WEBHOOK_BASE_URL'
  | 'WEBHOOK_AUTH'
  | 'EVOLUTION_WEBHOOK_TOKEN'
  | 'EVOLUTION_WEBHOOK_JWT_KEY'
  | 'WUZAPI_HMAC_KEY'
  | 'WUZAPI_HMAC_KEYS'
  | 'WUZAPI_WEBHOOK_TOKEN'
>;

/** Evolution events zaprelay acts on (config names); presence and QR codes are left out on purpose: nobody acts on them. */
export const EVOLUTION_SETUP_EVENTS = [
  'MESSAGES_UPSERT',
  'MESSAGES_UPDATE',
  'MESSAGES_DELETE',
  'SEND_MESSAGE',
  'CONTACTS_UPSERT',
  'CONTACTS_UPDATE',
  'CONNECTION_UPDATE',
] as const;

/** WUZAPI event types zaprelay acts on. */
export const WUZAPI_SETUP_EVENTS = ['Message', 'ReadReceipt', 'Connected', 'Disconnected', 'LoggedOut'] as const;

/** WUZAPI refuses shorter keys (`POST /session/hmac/config`). */
export const WUZAPI_MIN_HMAC_KEY_LENGTH = 32;

/** Why a setup cannot be done from this configuration: the operator must change a variable first. */
export class SetupNotPossibleError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SetupNotPossibleError';
  }
}

function webhookUrl(config: SetupConfig, route: string): string {
  if (!config.WEBHOOK_BASE_URL) {
    throw new SetupNotPossibleError(
      'webhook_base_url_missing',
      'WEBHOOK_BASE_URL is not set: zaprelay cannot tell the gateway where to post. Set it to the public URL of the ingress (e.g. https://zaprelay.example.com) and restart.',
    );
  }
  return `${config.WEBHOOK_BASE_URL.replace(/\/+$/, '')}${route}`;
}

/** What Evolution must have: our route, the events we handle, and the secret the ingress checks. */
export function evolutionWebhookTarget(config: SetupConfig): EvolutionWebhookConfig {
  const url = webhookUrl(config, '/webhooks/evolution');
  const headers: Record<string, string> = {};
  if (config.EVOLUTION_WEBHOOK_TOKEN) headers['x-webhook-token'] = config.EVOLUTION_WEBHOOK_TOKEN;
  if (config.EVOLUTION_WEBHOOK_JWT_KEY) headers.jwt_key = config.EVOLUTION_WEBHOOK_JWT_KEY;
  if (Object.keys(headers).length === 0 && config.WEBHOOK_AUTH !== 'none') {
    throw new SetupNotPossibleError(
      'webhook_secret_missing',
      'neither EVOLUTION_WEBHOOK_TOKEN nor EVOLUTION_WEBHOOK_JWT_KEY is set: the ingress would refuse every Evolution webhook (401). Set one and restart.',
    );
  }
  return { enabled: true, url, headers, byEvents: false, base64: false, events: [...EVOLUTION_SETUP_EVENTS] };
}

export interface WuzapiTarget {
  webhook: WuzapiWebhookConfig;
  /** The user's own key (WUZAPI_HMAC_KEYS) or the global WUZAPI_HMAC_KEY, when one is set. */
  hmacKey?: string;
}

/**
 * What a WUZAPI user must have: our route (with WUZAPI_WEBHOOK_TOKEN as `?token=`, the fallback for
 * webhooks WUZAPI sends unsigned after losing its key cache), the events we handle, and the HMAC key.
 */
export function wuzapiWebhookTarget(config: SetupConfig, instance: string): WuzapiTarget {
  const base = webhookUrl(config, '/webhooks/wuzapi');
  const token = config.WUZAPI_WEBHOOK_TOKEN;
  const url = token ? `${base}?token=${encodeURIComponent(token)}` : base;
  const hmacKey = byInstance(config.WUZAPI_HMAC_KEYS, instance) ?? config.WUZAPI_HMAC_KEY;
  if (!hmacKey && !token && config.WEBHOOK_AUTH !== 'none') {
    throw new SetupNotPossibleError(
      'webhook_secret_missing',
      'none of WUZAPI_HMAC_KEYS (for this instance), WUZAPI_HMAC_KEY or WUZAPI_WEBHOOK_TOKEN is set: the ingress would refuse every WUZAPI webhook (401). Set one and restart.',
    );
  }
  if (hmacKey && hmacKey.length < WUZAPI_MIN_HMAC_KEY_LENGTH) {
    throw new SetupNotPossibleError(
      'hmac_key_too_short',
      `the HMAC key for this instance (WUZAPI_HMAC_KEYS or WUZAPI_HMAC_KEY) has fewer than ${WUZAPI_MIN_HMAC_KEY_LENGTH} characters: WUZAPI refuses it. Use a longer key and restart.`,
    );
  }
  return { webhook: { url, events: [...WUZAPI_SETUP_EVENTS] }, hmacKey };
}
