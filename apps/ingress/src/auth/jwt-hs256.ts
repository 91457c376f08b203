import { createHmac } from 'node:crypto';
import { safeEqual } from './constant-time.js';

const CLOCK_SKEW_SECONDS = 30;

function decodeJson(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/**
 * Verifies Evolution's webhook JWT: HS256 only (the algorithm is pinned, so a
 * token claiming `none` or RS256 is refused), a valid signature and an
 * unexpired `exp`. No library needed for one algorithm.
 */
export function verifyHs256Jwt(token: string, key: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const head = decodeJson(header) as { alg?: unknown };
    if (head?.alg !== 'HS256') return false;
    const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
    if (!safeEqual(expected, signature)) return false;
    const claims = decodeJson(payload) as { exp?: unknown; iat?: unknown };
    if (typeof claims?.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS < nowSeconds) return false;
    if (typeof claims.iat === 'number' && claims.iat - CLOCK_SKEW_SECONDS > nowSeconds) return false;
    return true;
  } catch {
    return false;
  }
}
