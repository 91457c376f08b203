import type { RedisClient } from '@zaprelay/core';
import { monitorKeys } from '@zaprelay/core';
import { Gauge, type Registry } from 'prom-client';

/** @lid messages waiting for their phone (events/lid-resolver.ts), read from Redis on each scrape. */
export function registerLidWaitingGauge(registry: Registry, redis: RedisClient, prefix: string): void {
  new Gauge({
    name: 'zaprelay_lid_messages_waiting',
    help: 'Messages from @lid chats kept until an event tells their phone',
    registers: [registry],
    async collect() {
      this.set(await redis.hlen(monitorKeys(prefix).lidWaiting));
    },
  });
}
