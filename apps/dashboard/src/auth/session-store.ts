import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@zaprelay/core';

/**
 * The secret @fastify/cookie signs session cookies with: DASHBOARD_SESSION_SECRET,
 * or one generated on first start and kept in Redis (SET NX), so every replica
 * and every restart signs alike; it has nothing to do with the password.
 */
export async function sessionSecret(
  redis: RedisClient,
  prefix: string,
  configured: string | undefined,
): Promise<string> {
  if (configured) return configured;
  const key = `${prefix}:dashboard:session-secret`;
  await redis.set(key, randomBytes(32).toString('base64url'), 'NX');
  const secret = await redis.get(key);
  if (!secret) throw new Error('could not read the dashboard session secret from Redis');
  return secret;
}

/**
 * Server-side sessions: a random id in Redis with the session's TTL. The
 * cookie carries the id, signed; logging out deletes it, so a copied cookie
 * stops working at once.
 */
export function createSessionStore(redis: RedisClient, prefix: string, ttlMs: number) {
  const key = (id: string) => `${prefix}:dashboard:session:${id}`;
  return {
    async create(): Promise<string> {
      const id = randomBytes(24).toString('base64url');
      await redis.set(key(id), '1', 'PX', ttlMs);
      return id;
    },
    async valid(id: string): Promise<boolean> {
      return /^[\w-]{32}$/.test(id) && (await redis.exists(key(id))) === 1;
    },
    async revoke(id: string): Promise<void> {
      if (/^[\w-]{32}$/.test(id)) await redis.del(key(id));
    },
  };
}
