import { Cluster, type Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from './logger.js';
import type { RedisClient } from './redis.js';
import { pingRedis } from './redis.js';

/** What the status shows of the Redis the jobs live in. */
export const redisDurabilitySchema = z.object({
  maxmemoryPolicy: z.string().optional(),
  /** Append-only file on; undefined when it could not be read. */
  aof: z.boolean().optional(),
  /** RDB snapshots configured (`save` not empty); undefined when it could not be read (INFO does not say). */
  rdb: z.boolean().optional(),
  /** `config` (CONFIG GET) or `info` (managed Redis that refuses CONFIG). */
  readFrom: z.enum(['config', 'info']),
  /** Why this Redis is refused: it may evict, and so lose, jobs. */
  refused: z.string().optional(),
  /** Said at start: the data does not survive a Redis restart. */
  warning: z.string().optional(),
});
export type RedisDurability = z.infer<typeof redisDurabilitySchema>;

const infoField = (info: string, field: string) => info.match(new RegExp(`^${field}:(.*)$`, 'm'))?.[1]?.trim();

async function readSettings(redis: Redis | Cluster): Promise<Omit<RedisDurability, 'refused' | 'warning'>> {
  try {
    const [policy, appendonly, save] = await Promise.all(
      ['maxmemory-policy', 'appendonly', 'save'].map(async (name) => {
        const reply = (await redis.config('GET', name)) as string[];
        // An empty reply is what a CONFIG GET filtered by a managed Redis looks like: no answer.
        if (reply.length < 2) throw new Error(`CONFIG GET ${name}: no answer`);
        return reply[1] as string;
      }),
    );
    return { maxmemoryPolicy: policy, aof: appendonly === 'yes', rdb: (save ?? '').trim() !== '', readFrom: 'config' };
  } catch {
    // Managed Redis (ElastiCache, Upstash, Memorystore…) often refuses CONFIG but still tells through INFO.
    const [memory, persistence] = await Promise.all([redis.info('memory'), redis.info('persistence')]);
    const aof = infoField(persistence, 'aof_enabled');
    return {
      maxmemoryPolicy: infoField(memory, 'maxmemory_policy'),
      aof: aof === undefined ? undefined : aof === '1',
      readFrom: 'info',
    };
  }
}

/**
 * Whether this Redis may lose jobs: any `maxmemory-policy` but `noeviction`
 * lets Redis delete keys (queued jobs among them) when memory runs out, and
 * without AOF or RDB a restart empties it.
 */
export async function readRedisDurability(redis: RedisClient): Promise<RedisDurability> {
  // A cluster client sends CONFIG and INFO to one random master: read them all, and answer with the worst.
  const masters = redis instanceof Cluster ? redis.nodes('master') : [];
  if (masters.length > 0) {
    const each = await Promise.all(
      masters.map(async (node) => {
        const d = await durabilityOf(node);
        const where = ` (cluster master ${node.options.host}:${node.options.port})`;
        return { ...d, refused: d.refused && d.refused + where, warning: d.warning && d.warning + where };
      }),
    );
    return each.find((d) => d.refused) ?? each.find((d) => d.warning) ?? (each[0] as RedisDurability);
  }
  return durabilityOf(redis);
}

async function durabilityOf(redis: Redis | Cluster): Promise<RedisDurability> {
  const settings = await readSettings(redis);
  const policy = settings.maxmemoryPolicy;
  const refused =
    policy !== undefined && policy !== 'noeviction'
      ? `Redis maxmemory-policy is "${policy}": it may evict queued jobs; set it to "noeviction"`
      : undefined;
  const warning =
    settings.aof === false && settings.rdb !== true && !(settings.readFrom === 'info' && settings.rdb === undefined)
      ? 'Redis has no persistence (no AOF, no RDB save): a Redis restart loses every queued job; turn on appendonly'
      : undefined;
  return { ...settings, refused, warning };
}

export interface RedisReadiness {
  /** Ready when Redis answers and keeps jobs; the reason otherwise. */
  check(): Promise<{ ready: boolean; reason?: string }>;
}

/**
 * The `/health/ready` of every process: RedisClient answers PING, and its
 * maxmemory-policy cannot evict jobs. The policy is re-read at most every
 * `recheckMs` (it can change at run time); a refusal is logged when it starts
 * and when it ends, and a Redis without persistence is warned about once.
 */
export function createRedisReadiness(redis: RedisClient, logger: Logger, recheckMs = 10_000): RedisReadiness {
  const log = logger.child({ component: 'redis-durability' });
  let checkedAt = Number.NEGATIVE_INFINITY;
  let refused: string | undefined;
  let warned = false;
  let inFlight: Promise<void> | undefined;

  async function recheck() {
    try {
      const durability = await readRedisDurability(redis);
      if (durability.refused !== refused) {
        if (durability.refused) log.error({ maxmemoryPolicy: durability.maxmemoryPolicy }, durability.refused);
        else log.info({ maxmemoryPolicy: durability.maxmemoryPolicy }, 'Redis maxmemory-policy keeps jobs now');
      }
      if (durability.warning && !warned) log.warn(durability.warning);
      warned ||= durability.warning !== undefined;
      refused = durability.refused;
      checkedAt = Date.now();
    } catch (err) {
      // Could not read it (Redis away): PING says so; keep the last verdict.
      log.debug({ err: { message: (err as Error).message } }, 'could not read the Redis settings');
    }
  }

  return {
    async check() {
      if (!(await pingRedis(redis))) return { ready: false, reason: 'Redis does not answer' };
      if (Date.now() - checkedAt >= recheckMs) {
        // Probes that arrive together share one read (and one log line).
        inFlight ??= recheck().finally(() => {
          inFlight = undefined;
        });
        await inFlight;
      }
      return refused ? { ready: false, reason: refused } : { ready: true };
    },
  };
}
