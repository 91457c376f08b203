import type { RedisClient } from '../redis.js';

/**
 * The dedupe marker of the releases before BullMQ's own deduplication kept
 * it (`<prefix>:dedupe:<source>-<hash>`): one key per stored event, live for
 * WEBHOOK_DEDUPE_TTL_SECONDS. After an upgrade a redelivery of an event
 * stored by the old release must still be recognised, so until those
 * markers have expired the intake checks them first (one more round trip).
 */
export const legacyMarkerKey = (prefix: string, dedupeId: string) => `${prefix}:dedupe:${dedupeId}`;

/** Whether any key matches `pattern`, on every master of a cluster; stops at the first. */
async function anyKeyMatching(redis: RedisClient, pattern: string): Promise<boolean> {
  const nodes = redis.isCluster ? (redis as import('ioredis').Cluster).nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await (node as import('ioredis').Redis).scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) return true;
      cursor = next;
    } while (cursor !== '0');
  }
  return false;
}

/**
 * Until when old markers may be live, shared by every process through Redis:
 * the first process of the new release that finds any sets it to now + TTL
 * (and looks again when that has passed, for old processes still running in
 * a rolling deploy); one that finds none records that it looked, so later
 * starts skip the scan. Until `detect()` has answered, old markers are
 * assumed to exist.
 */
export function createLegacyMarkerWindow(redis: RedisClient, prefix: string, ttlSeconds: number) {
  const untilKey = `${prefix}:dedupe-legacy-until`;
  const checkedKey = `${prefix}:dedupe-legacy-checked`;
  let until = Number.POSITIVE_INFINITY;
  let detecting: Promise<void> | undefined;

  async function look(): Promise<void> {
    const [recorded, checked] = await Promise.all([redis.get(untilKey), redis.get(checkedKey)]);
    if (recorded && Number(recorded) > Date.now()) {
      until = Number(recorded);
      return;
    }
    if (checked && !recorded) {
      until = 0;
      return;
    }
    if (await anyKeyMatching(redis, legacyMarkerKey(prefix, '*'))) {
      until = Date.now() + ttlSeconds * 1000;
      await redis.set(untilKey, String(until), 'PX', ttlSeconds * 2000);
    } else {
      until = 0;
      await redis.del(untilKey);
    }
    await redis.set(checkedKey, new Date().toISOString());
  }

  const window = {
    /** Looks once (and again once a found window has passed); failures leave the window assumed open. */
    detect(): Promise<void> {
      detecting ??= look()
        .catch(() => {})
        .finally(() => {
          detecting = undefined;
        });
      return detecting;
    },
    /** Whether old markers may still be live; past a found window, looks again in the background. */
    open(now = Date.now()): boolean {
      if (until === Number.POSITIVE_INFINITY && !detecting) void window.detect();
      if (now < until) return true;
      if (until > 0 && until !== Number.POSITIVE_INFINITY) {
        until = 0;
        void window.detect();
      }
      return false;
    },
  };
  return window;
}

export type LegacyMarkerWindow = ReturnType<typeof createLegacyMarkerWindow>;
