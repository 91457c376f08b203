import type { Config, RedisClient } from '@zaprelay/core';
import { QueueUnavailableError } from './queue-unavailable-error.js';

/**
 * REDIS_WAIT_REPLICAS > 0: after an enqueue, blocks until that many replicas
 * acknowledged every write made so far on this connection (Redis WAIT), so a
 * master killed right after the 2xx cannot take the event with it. Fewer
 * acknowledgements within REDIS_WAIT_TIMEOUT_MS → the sender gets 503 and
 * retries (the job may exist: its deduplication key makes the retry
 * harmless).
 *
 * It must run on the connection the queues wrote with: WAIT only covers that
 * client's own writes.
 */
export function createReplicationWait(
  redis: RedisClient,
  config: Pick<Config, 'REDIS_WAIT_REPLICAS' | 'REDIS_WAIT_TIMEOUT_MS'>,
): () => Promise<void> {
  const replicas = config.REDIS_WAIT_REPLICAS;
  const timeoutMs = config.REDIS_WAIT_TIMEOUT_MS;
  if (replicas === 0) return async () => {};

  // WAIT blocks the whole connection until it returns, so one WAIT per request would queue every other
  // request's enqueue behind it. Requests share one instead (a group commit): a WAIT covers every write sent
  // before it on this connection, so whoever finished writing while one is in flight joins the next one.
  // (A WAIT whose reply came before a write's reply was sent before it; its `finally` has run by the time that
  // write's request gets here, since replies resolve in order.)
  let inFlight: Promise<number> | undefined;
  let next: Promise<number> | undefined;
  const sharedWait = (): Promise<number> => {
    if (!inFlight) {
      inFlight = redis.wait(replicas, timeoutMs).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    }
    next ??= inFlight
      .catch(() => 0)
      .then(() => {
        next = undefined;
        return sharedWait();
      });
    return next;
  };

  return async () => {
    const acknowledged = await sharedWait();
    if (acknowledged < replicas) {
      throw new QueueUnavailableError(
        `only ${acknowledged} of ${replicas} Redis replicas acknowledged the write within ${timeoutMs} ms`,
      );
    }
  };
}
