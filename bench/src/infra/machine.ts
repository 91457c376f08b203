import { cpus, totalmem } from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  redis: string;
  date: string;
  platform: string;
}

export function describeMachine(redisVersion: string): Machine {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    redis: redisVersion,
    date: new Date().toISOString(),
    platform: `${process.platform} ${process.arch}`,
  };
}
