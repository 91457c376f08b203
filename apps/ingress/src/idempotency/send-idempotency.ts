import { createHash } from 'node:crypto';
import type { RedisClient } from '@zaprelay/core';

/** How long an `Idempotency-Key` of `POST /api/messages` is remembered, whatever the job retention. */
export const SEND_IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export type SendClaim =
  /** First use of the key: queue the send, then call `confirm`. */
  | { kind: 'new' }
  /** The same message under the same key: the same send, nothing to queue. */
  | { kind: 'same' }
  /** The same message, but the first request never confirmed its job: queue it (BullMQ keeps one per id). */
  | { kind: 'unconfirmed' }
  /** Another message under a used key. */
  | { kind: 'reused' };

const sha = (s: string) => createHash('sha256').update(s).digest('base64url');

/**
 * The remembered Idempotency-Keys of `POST /api/messages`: one Redis string per
 * key (a single-key command, Cluster-safe), `pending|<fingerprint>` while the
 * job is being stored and `queued|<fingerprint>` once Redis confirmed it.
 * `SET NX` makes the claim atomic: of two concurrent requests with the same key
 * exactly one wins, the other compares fingerprints.
 */
export function createSendIdempotency(deps: { redis: RedisClient; prefix: string; ttlSeconds?: number }) {
  const ttl = deps.ttlSeconds ?? SEND_IDEMPOTENCY_TTL_SECONDS;
  const keyOf = (jobId: string) => `${deps.prefix}:api-idempotency:${jobId}`;
  const fingerprintOf = (message: { instance: string; to: string; text: string }) =>
    sha(JSON.stringify([message.instance, message.to, message.text]));

  return {
    async claim(jobId: string, message: { instance: string; to: string; text: string }): Promise<SendClaim> {
      const fingerprint = fingerprintOf(message);
      const won = await deps.redis.set(keyOf(jobId), `pending|${fingerprint}`, 'EX', ttl, 'NX');
      if (won === 'OK') return { kind: 'new' };
      const earlier = await deps.redis.get(keyOf(jobId));
      // Expired between the two commands: a fresh claim decides.
      if (earlier === null) return this.claim(jobId, message);
      const [state, seen] = earlier.split('|');
      if (seen !== fingerprint) return { kind: 'reused' };
      return state === 'queued' ? { kind: 'same' } : { kind: 'unconfirmed' };
    },
    /** The job is in Redis: from now on a retry is answered without touching the queue. */
    async confirm(jobId: string, message: { instance: string; to: string; text: string }): Promise<void> {
      await deps.redis.set(keyOf(jobId), `queued|${fingerprintOf(message)}`, 'KEEPTTL');
    },
    /** Storing the job failed: forget the claim so a retry is not taken for the same (never queued) send. */
    async release(jobId: string): Promise<void> {
      await deps.redis.del(keyOf(jobId));
    },
  };
}

export type SendIdempotency = ReturnType<typeof createSendIdempotency>;
