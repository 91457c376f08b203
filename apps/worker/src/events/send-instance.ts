import { byInstance, type Config, canonicalPhone, listsInstance, type RedisClient } from '@zaprelay/core';
import type { KeyWrite } from '../crm/chat-order.js';

/** Which instance last talked with each phone, so a CRM send without `instance` continues that chat. */
export interface InstanceMemory {
  remember(phone: string, instance: string): Promise<void>;
  /** What `remember` writes, for a caller that writes it in its own script (crm/chat-order.ts). */
  entry(phone: string, instance: string): KeyWrite;
  last(phone: string): Promise<string | undefined>;
}

export function createInstanceMemory(
  redis: RedisClient,
  config: Pick<Config, 'QUEUE_PREFIX' | 'LAST_INSTANCE_TTL_SECONDS'>,
): InstanceMemory {
  const key = (phone: string) => `${config.QUEUE_PREFIX}:phone-instance:${canonicalPhone(phone)}`;
  return {
    async remember(phone, instance) {
      await redis.set(key(phone), instance, 'EX', config.LAST_INSTANCE_TTL_SECONDS);
    },
    entry: (phone, instance) => ({ key: key(phone), value: instance, ttlSeconds: config.LAST_INSTANCE_TTL_SECONDS }),
    async last(phone) {
      return (await redis.get(key(phone))) ?? undefined;
    },
  };
}

type InstanceConfig = Pick<Config, 'EVOLUTION_API_URL' | 'EVOLUTION_INSTANCES' | 'WUZAPI_USER_TOKENS'>;

/**
 * Whether a send through this instance can go anywhere: a WUZAPI user, or an
 * Evolution instance (any name when EVOLUTION_INSTANCES does not list them).
 */
export function isConfiguredInstance(config: InstanceConfig, instance: string): boolean {
  if (byInstance(config.WUZAPI_USER_TOKENS, instance) !== undefined) return true;
  if (!config.EVOLUTION_API_URL) return false;
  return config.EVOLUTION_INSTANCES === undefined || listsInstance(config.EVOLUTION_INSTANCES, instance);
}

/** The instance a CRM-requested send goes through when the event names none. */
export function defaultInstance(config: InstanceConfig): string | undefined {
  return config.EVOLUTION_INSTANCES?.[0] ?? [...(config.WUZAPI_USER_TOKENS?.keys() ?? [])][0];
}

/**
 * The instance the agent meant: the one the event names, else the one that
 * last talked with the phone (if it is still configured), else the default.
 */
export function chooseSendInstance(
  config: InstanceConfig,
  named: string | undefined,
  lastTalked: string | undefined,
): string | undefined {
  if (named) return named;
  if (lastTalked && isConfiguredInstance(config, lastTalked)) return lastTalked;
  return defaultInstance(config);
}
