import { keysUnder } from '@zaprelay/test-kit';
import type { Redis } from 'ioredis';

/** `used_memory` from INFO memory: what Redis' allocator holds for data and overhead. */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const match = /^used_memory:(\d+)/m.exec(info);
  if (!match) throw new Error('INFO memory has no used_memory');
  return Number(match[1]);
}

export async function redisVersion(redis: Redis): Promise<string> {
  const info = await redis.info('server');
  return /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
}

/** MEMORY USAGE of each key, summed per kind of key (job hashes, dedupe keys, lists, stream…). */
export async function memoryByKind(redis: Redis, prefix: string, kindOf: (key: string) => string) {
  const byKind = new Map<string, { keys: number; bytes: number }>();
  const keys = await keysUnder(redis, prefix);
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    const answers = (await pipeline.exec()) ?? [];
    batch.forEach((key, j) => {
      const kind = kindOf(key);
      const entry = byKind.get(kind) ?? { keys: 0, bytes: 0 };
      entry.keys++;
      entry.bytes += Number(answers[j]?.[1] ?? 0);
      byKind.set(kind, entry);
    });
  }
  return byKind;
}
