import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU seconds redis-server has used so far (INFO cpu). */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const read = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return read('used_cpu_user') + read('used_cpu_sys');
}

/** Socket reads Redis has made so far (INFO stats): one per batch of commands it found waiting on a connection. */
export async function redisReads(redis: Redis): Promise<number> {
  const info = await redis.info('stats');
  return Number(/^total_reads_processed:(\d+)/m.exec(info)?.[1] ?? 0);
}

/** CPU microseconds per operation of a process and of Redis over one measured stretch, and Redis' reads per operation. */
export async function measureCpu<T extends { total: number }>(
  pid: number,
  redis: Redis,
  run: () => Promise<T>,
): Promise<T & { cpuUsPerOp: number; redisCpuUsPerOp: number; redisReadsPerOp: number }> {
  const [p0, r0, n0] = [processCpuSeconds(pid), await redisCpuSeconds(redis), await redisReads(redis)];
  const result = await run();
  const [p1, r1, n1] = [processCpuSeconds(pid), await redisCpuSeconds(redis), await redisReads(redis)];
  return {
    ...result,
    cpuUsPerOp: ((p1 - p0) * 1e6) / result.total,
    redisCpuUsPerOp: ((r1 - r0) * 1e6) / result.total,
    redisReadsPerOp: (n1 - n0) / result.total,
  };
}
