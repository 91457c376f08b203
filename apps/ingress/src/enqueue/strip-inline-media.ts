/** Deeper than any gateway nests; anything beyond is refused rather than walked. */
export const MAX_DEPTH = 64;

export class TooDeepError extends Error {
  readonly statusCode = 400;
  constructor() {
    super(`payload is nested deeper than ${MAX_DEPTH} levels`);
  }
}

const BASE64ISH = /^(data:[\w.+-]+\/[\w.+-]+;base64,)?[A-Za-z0-9+/_=\r\n-]+$/;

/** Where the gateways put what a person wrote: kept whatever it looks like (a pasted key is still a message). */
const TEXT_KEYS = new Set(['conversation', 'text', 'caption', 'body', 'Conversation', 'Text', 'Caption', 'Body']);

function looksLikeInlineMedia(key: string, value: string, limit: number): boolean {
  if (value.length <= limit || TEXT_KEYS.has(key)) return false;
  return key === 'base64' || key === 'jpegThumbnail' || BASE64ISH.test(value.slice(0, 4096));
}

/**
 * Baileys' `messageContextInfo` (beside the content of most Evolution messages):
 * per-message key material (`messageSecret`, device-list key hashes) that the
 * CRM never needs and that should not sit in Redis and Bull Board; ~215 B of
 * a ~1.9 KB text message job.
 */
export const EVOLUTION_DROPPED_KEYS: ReadonlySet<string> = new Set(['messageContextInfo']);

const NOTHING_DROPPED: ReadonlySet<string> = new Set();

/**
 * The payload with inline media (Evolution's `message.base64`, WUZAPI's
 * `base64`, thumbnails, any long base64 string) replaced by its size and
 * type, so a job stays small whatever the webhook carried; keys in `drop`
 * are left out wherever they occur. Copy on write: objects on the way to a
 * change are copied, everything else is shared with the input (most
 * webhooks carry no media, and copying each whole body was a good part of
 * the ingress' garbage).
 */
export function stripInlineMedia(
  value: unknown,
  limit: number,
  drop: ReadonlySet<string> = NOTHING_DROPPED,
  depth = 0,
  key = '',
): unknown {
  if (depth > MAX_DEPTH) throw new TooDeepError();
  if (typeof value === 'string') {
    if (!looksLikeInlineMedia(key, value, limit)) return value;
    const data = value.replace(/^data:[^,]*,/, '');
    return { omitted: 'base64', bytes: Math.floor((data.replace(/[\s=]/g, '').length * 3) / 4) };
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = stripInlineMedia(value[i], limit, drop, depth + 1, key);
      if (item !== value[i]) {
        out ??= value.slice();
        out[i] = item;
      }
    }
    return out ?? value;
  }
  if (value && typeof value === 'object') {
    const source = value as Record<string, unknown>;
    const keys = Object.keys(source);
    let out: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const v = source[k];
      // Never pass on prototype-bearing keys in an object that will be serialised and parsed again.
      const dropped = k === '__proto__' || k === 'constructor' || k === 'prototype' || drop.has(k);
      const next = dropped ? undefined : stripInlineMedia(v, limit, drop, depth + 1, k);
      if (!out) {
        if (!dropped && next === v) continue;
        out = {};
        for (const before of keys.slice(0, i)) out[before] = source[before];
      }
      if (!dropped) out[k] = next;
    }
    return out ?? value;
  }
  return value;
}
