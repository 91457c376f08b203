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
 * A copy of the payload with inline media (Evolution's `message.base64`,
 * WUZAPI's `base64`, thumbnails, any long base64 string) replaced by its size
 * and type, so a job stays small whatever the webhook carried; keys in `drop`
 * are left out wherever they occur.
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
  if (Array.isArray(value)) return value.map((item) => stripInlineMedia(item, limit, drop, depth + 1, key));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Never copy prototype-bearing keys into an object that will be serialised and parsed again.
      if (k === '__proto__' || k === 'constructor' || k === 'prototype' || drop.has(k)) continue;
      out[k] = stripInlineMedia(v, limit, drop, depth + 1, k);
    }
    return out;
  }
  return value;
}
