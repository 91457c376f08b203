import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createRedisConnection } from '../src/index.js';

/** Redis' socket reads so far: one per batch of commands it found waiting on a connection. */
async function readsSoFar(observer: Redis): Promise<number> {
  return Number(/^total_reads_processed:(\d+)/m.exec(await observer.info('stats'))?.[1]);
}

describe('a connection with its writes held to the end of the turn (writesPerTurn)', () => {
  const opened: Redis[] = [];
  const connect = (writesPerTurn: boolean) => {
    const redis = createRedisConnection(inject('redisUrl'), { role: 'worker', writesPerTurn });
    opened.push(redis);
    return redis;
  };
  const prefix = `writes-per-turn-${randomUUID().slice(0, 8)}`;
  afterEach(async () => {
    const [first] = opened;
    const keys = first ? await first.keys(`${prefix}:*`) : [];
    if (first && keys.length > 0) await first.del(...keys);
    for (const redis of opened.splice(0)) redis.disconnect();
  });

  it('sends the commands of one turn in one write, in order, and answers each', async () => {
    const redis = connect(true);
    await redis.ping();
    const commands = Array.from({ length: 50 }, (_, i) => redis.rpush(`${prefix}:list`, String(i)));
    // Held: nothing of this turn has reached the socket yet.
    expect(redis.stream.writableCorked).toBe(1);
    expect(redis.stream.writableLength).toBeGreaterThan(0);
    expect(await Promise.all(commands)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(redis.stream.writableCorked).toBe(0);
    expect(await redis.lrange(`${prefix}:list`, 0, -1)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it('holds the commands of every callback of a turn, as webhooks read from their sockets come', async () => {
    const redis = connect(true);
    const observer = connect(false);
    await Promise.all([redis.ping(), observer.ping()]);
    const before = await readsSoFar(observer);
    const oneSet = Buffer.byteLength(`*3\r\n$3\r\nset\r\n$${prefix.length + 3}\r\n${prefix}:00\r\n$1\r\nx\r\n`);
    // Forty callbacks of one check phase, each issuing a command; a forty-first looks at the socket after them.
    const sets = Array.from(
      { length: 40 },
      (_, i) =>
        new Promise<string>((resolve) =>
          setImmediate(() => resolve(redis.set(`${prefix}:${String(i).padStart(2, '0')}`, 'x'))),
        ),
    );
    const held = await new Promise<{ corked: number; bytes: number }>((resolve) =>
      setImmediate(() => resolve({ corked: redis.stream.writableCorked, bytes: redis.stream.writableLength })),
    );
    expect(held).toEqual({ corked: 1, bytes: 40 * oneSet });
    expect(await Promise.all(sets)).toEqual(Array.from({ length: 40 }, () => 'OK'));
    // One read for the forty, one for the observer's INFO (a little slack for a read split by the kernel).
    expect((await readsSoFar(observer)) - before).toBeLessThanOrEqual(3);
  });

  it('queues commands issued before the connection is ready, as a plain one does', async () => {
    const early = createRedisConnection(inject('redisUrl'), { role: 'worker', writesPerTurn: true });
    opened.push(early);
    expect(early.status).not.toBe('ready');
    expect(await early.set(`${prefix}:early`, 'v')).toBe('OK');
    expect(await early.get(`${prefix}:early`)).toBe('v');
  });
});
