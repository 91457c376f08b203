import type { EvolutionWebhookCalls, EvolutionWebhookFound } from '../evolution/webhook-calls.js';
import type { WuzapiSessionCalls } from '../wuzapi/session-calls.js';
import { evolutionWebhookTarget, type SetupConfig, wuzapiWebhookTarget } from './webhook-targets.js';

/** A secret shown in an answer or a log: only that one is set. */
const HIDDEN = '***';

/** `?token=secret` in a webhook URL is a secret too. */
function hideUrlSecrets(url: string | undefined): string | undefined {
  return url?.replace(/([?&]token=)[^&]*/gi, `$1${HIDDEN}`);
}

function hideHeaders(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  return headers && Object.fromEntries(Object.keys(headers).map((k) => [k, HIDDEN]));
}

const missing = (wanted: readonly string[], have: readonly string[]) => {
  const set = new Set(have.map((e) => e.toUpperCase()));
  return wanted.filter((e) => !set.has(e.toUpperCase()));
};

export interface SetupCheck {
  gateway: 'evolution' | 'wuzapi';
  instance: string;
  /** What zaprelay sets (secrets hidden). */
  expected: Record<string, unknown>;
  /** What the gateway has now (secrets hidden), `null` when it has no webhook. */
  actual: Record<string, unknown> | null;
  matches: boolean;
  /** Why it does not match, one line each. */
  differences: string[];
}

export interface SetupApplied {
  gateway: 'evolution' | 'wuzapi';
  instance: string;
  /** What was set (secrets hidden). */
  set: Record<string, unknown>;
}

/** Evolution's differences from what zaprelay needs; headers only when this version reports them. */
function evolutionDifferences(
  expected: ReturnType<typeof evolutionWebhookTarget>,
  found: EvolutionWebhookFound | undefined,
) {
  if (!found) return ['no webhook configured'];
  const differences: string[] = [];
  if (found.url !== expected.url) differences.push('url differs');
  if (found.enabled === false) differences.push('webhook disabled');
  if (found.byEvents === true) differences.push('webhook by events is on');
  const lacking = missing(expected.events, found.events ?? []);
  if (lacking.length > 0) differences.push(`events missing: ${lacking.join(', ')}`);
  if (found.headers) {
    for (const [name, value] of Object.entries(expected.headers)) {
      if (found.headers[name] !== value) differences.push(`header ${name} missing or different`);
    }
  }
  return differences;
}

const shownEvolution = (cfg: { url?: string; headers?: Record<string, string> } & Record<string, unknown>) => ({
  ...cfg,
  url: hideUrlSecrets(cfg.url),
  headers: hideHeaders(cfg.headers),
});

export async function applyEvolutionSetup(
  client: EvolutionWebhookCalls,
  instance: string,
  config: SetupConfig,
): Promise<SetupApplied> {
  const target = evolutionWebhookTarget(config);
  await client.setWebhook(instance, target);
  return { gateway: 'evolution', instance, set: shownEvolution({ ...target }) };
}

export async function checkEvolutionSetup(
  client: EvolutionWebhookCalls,
  instance: string,
  config: SetupConfig,
): Promise<SetupCheck> {
  const expected = evolutionWebhookTarget(config);
  const found = await client.findWebhook(instance);
  const differences = evolutionDifferences(expected, found);
  return {
    gateway: 'evolution',
    instance,
    expected: shownEvolution({ ...expected }),
    actual: found ? shownEvolution({ ...found }) : null,
    matches: differences.length === 0,
    differences,
  };
}

export async function applyWuzapiSetup(
  client: WuzapiSessionCalls,
  instance: string,
  userToken: string,
  config: SetupConfig,
): Promise<SetupApplied> {
  const target = wuzapiWebhookTarget(config, instance);
  // The key first: a webhook set before it would go out unsigned and be refused.
  if (target.hmacKey) await client.setHmacKey(userToken, target.hmacKey);
  await client.setWebhook(userToken, target.webhook);
  return {
    gateway: 'wuzapi',
    instance,
    set: { url: hideUrlSecrets(target.webhook.url), events: target.webhook.events, hmacKey: Boolean(target.hmacKey) },
  };
}

export async function checkWuzapiSetup(
  client: WuzapiSessionCalls,
  instance: string,
  userToken: string,
  config: SetupConfig,
): Promise<SetupCheck> {
  const target = wuzapiWebhookTarget(config, instance);
  const [found, status] = await Promise.all([client.getWebhook(userToken), client.sessionStatus(userToken)]);
  const differences: string[] = [];
  if (!found.url) differences.push('no webhook configured');
  else if (found.url !== target.webhook.url) differences.push('url differs');
  // An empty subscription sends nothing at all (WUZAPI posts only subscribed types).
  const lacking = missing(target.webhook.events, found.events);
  if (found.url && lacking.length > 0) differences.push(`events missing: ${lacking.join(', ')}`);
  // Only current versions say whether a key is set; the key itself is never readable.
  if (target.hmacKey && status.hmacConfigured === false) differences.push('no HMAC key configured');
  return {
    gateway: 'wuzapi',
    instance,
    expected: {
      url: hideUrlSecrets(target.webhook.url),
      events: target.webhook.events,
      hmacKey: Boolean(target.hmacKey),
    },
    actual: found.url
      ? { url: hideUrlSecrets(found.url), events: found.events, hmacKey: status.hmacConfigured ?? null }
      : null,
    matches: differences.length === 0,
    differences,
  };
}
