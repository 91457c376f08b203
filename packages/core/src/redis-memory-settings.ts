/**
 * Redis settings zaprelay ships besides `noeviction` and AOF: both compose files pass them to redis-server, and
 * `pnpm start`'s embedded Redis and the bench run with them.
 *
 * `hash-max-listpack-value 1024`: Redis keeps a hash as one compact listpack while each of its values is at most
 * this long (default 64), else as a hash table with an allocation per field. Every BullMQ job is a hash whose
 * `data` (a text message's webhook: ~600 bytes) is over 64, so each queued message paid for a hash table: ~1,450
 * bytes of job against ~1,100 as a listpack, a sixth of all it costs in Redis. A longer value (a long text, a
 * media caption) turns that job back into a hash table, as before. Hashes stay at most 128 fields
 * (`hash-max-listpack-entries`), so a listpack is at most ~128 KB to scan.
 */
export const REDIS_MEMORY_SETTINGS = { 'hash-max-listpack-value': '1024' } as const;

/** Those settings as redis-server arguments. */
export const redisMemoryArgs = (): string[] =>
  Object.entries(REDIS_MEMORY_SETTINGS).flatMap(([name, value]) => [`--${name}`, value]);
