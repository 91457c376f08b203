import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './constant-time.js';

export interface SessionSigner {
  issue(nowMs: number): string;
  verify(token: string | undefined, nowMs: number): boolean;
}

/**
 * Session cookie value `v1.<expiresAtMs>.<hmac>`. The key is derived from the
 * configured credentials, so every dashboard replica accepts the same cookie
 * and changing the password logs everyone out; nothing is stored server-side.
 */
export function createSessionSigner(user: string, password: string, ttlMs: number): SessionSigner {
  const key = createHmac('sha256', 'zaprelay-dashboard-session-v1').update(`${user}\0${password}`).digest();
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');
  return {
    issue(nowMs) {
      const payload = `v1.${nowMs + ttlMs}`;
      return `${payload}.${mac(payload)}`;
    },
    verify(token, nowMs) {
      if (!token) return false;
      const match = /^(v1\.(\d{1,15}))\.([\w-]{43})$/.exec(token);
      if (!match?.[1] || !match[2] || !match[3]) return false;
      if (!constantTimeEqual(match[3], mac(match[1]))) return false;
      return Number(match[2]) > nowMs;
    },
  };
}
