import type { Config, RedisClient } from '@zaprelay/core';

/** Fewer replicas than REDIS_WAIT_REPLICAS acknowledged the mark: nothing was sent. */
export class ReplicasBehindError extends Error {
  constructor(
    readonly acknowledged: number,
    readonly replicas: number,
  ) {
    super(
      `only ${acknowledged} of ${replicas} Redis replicas hold the send mark (REDIS_WAIT_REPLICAS): not sending yet`,
    );
    this.name = 'ReplicasBehindError';
  }
}

/**
 * REDIS_WAIT_REPLICAS > 0 (Sentinel): an Evolution send's `sending` mark must
 * be on that many replicas before the message leaves. Otherwise a master
 * killed after the send takes the mark (and the job's completion) with it, the
 * promoted replica still has the job as never tried, and it is sent again
 * without the look-up for an earlier send. WAIT covers every write made so far
 * on this connection, i.e. BullMQ's progress update of the job.
 */
export function createReplicatedMark(
  redis: RedisClient,
  config: Pick<Config, 'REDIS_WAIT_REPLICAS' | 'REDIS_WAIT_TIMEOUT_MS'>,
): () => Promise<void> {
  const replicas = config.REDIS_WAIT_REPLICAS;
  if (replicas === 0) return async () => {};
  return async () => {
    const acknowledged = await redis.wait(replicas, config.REDIS_WAIT_TIMEOUT_MS);
    if (acknowledged < replicas) throw new ReplicasBehindError(acknowledged, replicas);
  };
}
