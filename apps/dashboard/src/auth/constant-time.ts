import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares secrets without leaking, through timing, how much of a guess was
 * right or how long the secret is: both sides are hashed to equal length first.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
