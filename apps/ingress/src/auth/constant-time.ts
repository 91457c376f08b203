import { hash, timingSafeEqual } from 'node:crypto';

const digest = (s: string | Buffer) => hash('sha256', s, 'buffer');

/** Equal strings, in time independent of where they differ (hashing first evens out the lengths). */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Digests of configured secrets: a handful per process, so kept (never of what a sender offers). */
const secretDigests = new Map<string, Buffer>();

/** `safeEqual` against a secret from config, whose digest is computed once: one hash per request instead of two. */
export function matchesSecret(offered: string, secret: string): boolean {
  let known = secretDigests.get(secret);
  if (!known) {
    known = digest(secret);
    secretDigests.set(secret, known);
  }
  return timingSafeEqual(digest(offered), known);
}

/** The token of `Authorization: Bearer <token>`, if that is what the header holds. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
