import {
  type Alert,
  alertSchema,
  type HistoryEntry,
  historyEntrySchema,
  type InstanceStatus,
  instanceStatusSchema,
  monitorKeys,
  type RedisClient,
} from '@zaprelay/core';

const ALERTS_KEPT = 200;

function parseAll<T>(raw: string[], parse: (v: unknown) => T | undefined): T[] {
  return raw.flatMap((s) => {
    try {
      const v = parse(JSON.parse(s));
      return v === undefined ? [] : [v];
    } catch {
      return [];
    }
  });
}

/** Monitor state in Redis: survives restarts, shared by every worker and read by the dashboard. */
export function createMonitorStore(redis: RedisClient, prefix: string, maxHistory: number) {
  const keys = monitorKeys(prefix);
  return {
    async recordHistory(subject: string, entry: HistoryEntry): Promise<void> {
      await redis
        .multi()
        .lpush(keys.history(subject), JSON.stringify(entry))
        .ltrim(keys.history(subject), 0, maxHistory - 1)
        .exec();
    },
    async history(subject: string, count = maxHistory): Promise<HistoryEntry[]> {
      const raw = await redis.lrange(keys.history(subject), 0, count - 1);
      return parseAll(raw, (v) => historyEntrySchema.safeParse(v).data);
    },
    async instanceStatus(instance: string): Promise<InstanceStatus | undefined> {
      const raw = await redis.hget(keys.instances, instance);
      return raw ? parseAll([raw], (v) => instanceStatusSchema.safeParse(v).data)[0] : undefined;
    },
    async setInstanceStatus(status: InstanceStatus): Promise<void> {
      await redis.hset(keys.instances, status.instance, JSON.stringify(status));
    },
    async apiStatus(api: string): Promise<{ status: string } | undefined> {
      const raw = await redis.hget(keys.apis, api);
      return raw ? (JSON.parse(raw) as { status: string }) : undefined;
    },
    async setApiStatus(api: string, status: Record<string, unknown>): Promise<void> {
      await redis.hset(keys.apis, api, JSON.stringify(status));
    },
    async pushAlert(alert: Alert): Promise<void> {
      await redis
        .multi()
        .lpush(keys.alerts, JSON.stringify(alert))
        .ltrim(keys.alerts, 0, ALERTS_KEPT - 1)
        .exec();
    },
    async alerts(count = 50): Promise<Alert[]> {
      const raw = await redis.lrange(keys.alerts, 0, count - 1);
      return parseAll(raw, (v) => alertSchema.safeParse(v).data);
    },
  };
}

export type MonitorStore = ReturnType<typeof createMonitorStore>;
