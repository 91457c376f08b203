import type { RedisOptions } from 'ioredis';
import type { Config } from './config/env-schema.js';

/** Where the Sentinels of one master are (REDIS_SENTINELS, REDIS_SENTINEL_NAME). */
export interface SentinelTarget {
  sentinels: Array<{ host: string; port: number }>;
  name: string;
  sentinelPassword?: string;
}

type SentinelConfig = Pick<Config, 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME' | 'REDIS_SENTINEL_PASSWORD'>;

/** The Sentinel target the configuration asks for, or undefined for a plain REDIS_URL connection. */
export function sentinelTarget(config: SentinelConfig): SentinelTarget | undefined {
  if (!config.REDIS_SENTINELS?.length) return undefined;
  return {
    sentinels: config.REDIS_SENTINELS,
    name: config.REDIS_SENTINEL_NAME,
    sentinelPassword: config.REDIS_SENTINEL_PASSWORD,
  };
}

/**
 * ioredis options that find the master through Sentinel. The master's
 * credentials and database still come from REDIS_URL (its host is ignored).
 */
export function sentinelOptions(url: string, target: SentinelTarget): RedisOptions {
  const parsed = new URL(url);
  return {
    sentinels: target.sentinels,
    name: target.name,
    role: 'master',
    sentinelPassword: target.sentinelPassword,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number(parsed.pathname.slice(1)) || 0,
    // Sentinel publishes +switch-master: reconnect to the new master at once, not when the old socket times out.
    failoverDetector: true,
    // A demoted master (now a replica) refuses writes: reconnecting asks Sentinel for the current master.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
  };
}
