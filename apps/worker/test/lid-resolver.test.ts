import { collectStatus, createLogger, createRedisConnection, type InternalMessage, monitorKeys } from '@zaprelay/core';
import { deleteKeysUnder } from '@zaprelay/test-kit';
import { testConfig } from '@zaprelay/test-kit/vitest';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createLidResolver } from '../src/events/lid-resolver.js';
import { registerLidWaitingGauge } from '../src/metrics/lid-metrics.js';

describe('@lid chats without their phone', () => {
  const config = testConfig();
  const redis = createRedisConnection(config.REDIS_URL, { role: 'worker' });
  const queued: InternalMessage[] = [];
  const lids = createLidResolver({
    redis,
    prefix: config.QUEUE_PREFIX,
    logger: createLogger(config, { name: 'lid-test' }),
    enqueue: async (m) => {
      queued.push(m);
    },
  });
  afterAll(async () => {
    await deleteKeysUnder(redis, config.QUEUE_PREFIX);
    redis.disconnect();
  });

  const lid = '210987654321098@lid';
  const phoneless = (messageId: string, second = 11): Omit<InternalMessage, 'phone'> => ({
    source: 'evolution',
    instance: 'sales-01',
    messageId,
    chatJid: lid,
    direction: 'inbound',
    kind: 'text',
    text: 'oi',
    timestamp: `2026-11-22T14:03:${second}.000Z`,
    isGroup: false,
  });

  it('keeps a message visibly until the pair is learned, then queues it with the phone; later ones go at once', async () => {
    const registry = new Registry();
    registerLidWaitingGauge(registry, redis, config.QUEUE_PREFIX);
    const waitingMetric = async () =>
      (await registry.getSingleMetricAsString('zaprelay_lid_messages_waiting')).split('\n').at(-1);

    expect(await lids.resolve(lid, phoneless('L-1'))).toBe('waiting');
    expect(await lids.resolve(lid, { ...phoneless('L-2', 12), source: 'wuzapi', userToken: 'user-token-secret' })).toBe(
      'waiting',
    );
    // A legacy WUZAPI webhook's user token is not kept with the waiting message.
    const kept = Object.values(await redis.hgetall(monitorKeys(config.QUEUE_PREFIX).lidWaiting)).join('\n');
    expect(kept).toContain('L-2');
    expect(kept).not.toContain('user-token-secret');
    expect(queued).toEqual([]);
    expect(await waitingMetric()).toBe('zaprelay_lid_messages_waiting 2');
    expect((await collectStatus({ redis, queues: [], config })).lidWaiting).toBe(2);

    // Another message of that chat carries the phone (remoteJidAlt / SenderAlt): the pair is learned.
    await lids.learn(lid, '+5511987654321');
    expect(queued.map((m) => [m.messageId, m.phone])).toEqual([
      ['L-1', '+5511987654321'],
      ['L-2', '+5511987654321'],
    ]);
    expect(await waitingMetric()).toBe('zaprelay_lid_messages_waiting 0');

    expect(await lids.resolve(lid, phoneless('L-3'))).toBe('queued');
    expect(queued.at(-1)).toMatchObject({ messageId: 'L-3', phone: '+5511987654321' });
  });
});
