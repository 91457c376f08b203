import { createHmac } from 'node:crypto';
import { byInstance, type Config } from '@zaprelay/core';
import type { FastifyRequest } from 'fastify';
import { bearerToken, matchesSecret, safeEqual } from './constant-time.js';
import { verifyHs256Jwt } from './jwt-hs256.js';

const SUPERCRM_MAX_SKEW_SECONDS = 300;

const header = (req: FastifyRequest, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Evolution: the shared token (body `apikey`, `x-webhook-token`, or Bearer)
 * or, when a jwt_key is configured, its signed Bearer JWT.
 */
export function evolutionAuthorized(config: Config, req: FastifyRequest, bodyApikey: unknown): boolean {
  if (config.WEBHOOK_AUTH === 'none') return true;
  const bearer = bearerToken(header(req, 'authorization'));
  if (config.EVOLUTION_WEBHOOK_JWT_KEY && bearer && verifyHs256Jwt(bearer, config.EVOLUTION_WEBHOOK_JWT_KEY))
    return true;
  const token = config.EVOLUTION_WEBHOOK_TOKEN;
  if (!token) return false;
  const offered = [typeof bodyApikey === 'string' ? bodyApikey : undefined, header(req, 'x-webhook-token'), bearer];
  return offered.some((candidate) => candidate !== undefined && matchesSecret(candidate, token));
}

/**
 * The key a WUZAPI webhook is signed with: WUZAPI signs with one key per user, so the user the body
 * names (`instanceName`, else `userID`) verifies with its own key from WUZAPI_HMAC_KEYS, any other
 * with the global WUZAPI_HMAC_KEY.
 */
function wuzapiHmacKey(config: Config, sender: { instanceName?: unknown; userID?: unknown }): string | undefined {
  for (const name of [sender.instanceName, sender.userID]) {
    const own = typeof name === 'string' && name !== '' ? byInstance(config.WUZAPI_HMAC_KEYS, name) : undefined;
    if (own) return own;
  }
  return config.WUZAPI_HMAC_KEY;
}

/**
 * WUZAPI: `x-hmac-signature` over the raw body bytes when it signs (a wrong
 * signature is final); otherwise the shared token as `?token=`,
 * `x-webhook-token` or the legacy `token` form field.
 */
export function wuzapiAuthorized(
  config: Config,
  req: FastifyRequest,
  rawBody: Buffer,
  formToken: unknown,
  sender: { instanceName?: unknown; userID?: unknown } = {},
): boolean {
  if (config.WEBHOOK_AUTH === 'none') return true;
  const signature = header(req, 'x-hmac-signature');
  const hmacKey = wuzapiHmacKey(config, sender);
  if (signature && hmacKey) {
    const expected = createHmac('sha256', hmacKey).update(rawBody).digest('hex');
    return safeEqual(expected, signature.trim().toLowerCase());
  }
  const token = config.WUZAPI_WEBHOOK_TOKEN;
  if (!token) return false;
  const query = (req.query as Record<string, unknown> | undefined)?.token;
  const offered = [
    typeof query === 'string' ? query : undefined,
    header(req, 'x-webhook-token'),
    typeof formToken === 'string' ? formToken : undefined,
  ];
  return offered.some((candidate) => candidate !== undefined && matchesSecret(candidate, token));
}

/** SuperCRM: HMAC-SHA256 of `<timestamp>.<raw body>`, and a timestamp within 300 s (replay). */
export function superCrmAuthorized(config: Config, req: FastifyRequest, rawBody: Buffer, nowMs = Date.now()): boolean {
  if (config.WEBHOOK_AUTH === 'none') return true;
  const secret = config.SUPER_CRM_WEBHOOK_SECRET;
  const timestamp = header(req, 'x-supercrm-timestamp');
  const signature = header(req, 'x-supercrm-signature');
  if (!secret || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SUPERCRM_MAX_SKEW_SECONDS) return false;
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
  return safeEqual(expected, signature.trim());
}

/** Our own API: `Authorization: Bearer ${API_TOKEN}`. Without API_TOKEN nothing is authorised. */
export function apiAuthorized(config: Config, req: FastifyRequest): boolean {
  const bearer = bearerToken(header(req, 'authorization'));
  return config.API_TOKEN !== undefined && bearer !== undefined && matchesSecret(bearer, config.API_TOKEN);
}

/** What start-up should warn about: sources that will refuse every webhook, or accept any. */
export function authWarnings(config: Config): string[] {
  if (config.WEBHOOK_AUTH === 'none') return ['WEBHOOK_AUTH=none: webhooks are accepted without any secret'];
  const warnings: string[] = [];
  if (!config.EVOLUTION_WEBHOOK_TOKEN && !config.EVOLUTION_WEBHOOK_JWT_KEY)
    warnings.push('no EVOLUTION_WEBHOOK_TOKEN or EVOLUTION_WEBHOOK_JWT_KEY: /webhooks/evolution answers 401');
  if (!config.WUZAPI_HMAC_KEY && !config.WUZAPI_HMAC_KEYS && !config.WUZAPI_WEBHOOK_TOKEN)
    warnings.push('no WUZAPI_HMAC_KEY, WUZAPI_HMAC_KEYS or WUZAPI_WEBHOOK_TOKEN: /webhooks/wuzapi answers 401');
  if (!config.SUPER_CRM_WEBHOOK_SECRET) warnings.push('no SUPER_CRM_WEBHOOK_SECRET: /webhooks/supercrm answers 401');
  if (!config.API_TOKEN) warnings.push('no API_TOKEN: /api/* answers 401');
  return warnings;
}
