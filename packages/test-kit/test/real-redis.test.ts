import { createQueue, createRedisConnection, QUEUES } from '@zaprelay/core';
import { QueueEvents, Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { testConfig } from '../src/vitest/index.js';

describe('test harness', () => {
  const config = testConfig();
  const producer = createRedisConnection(config.REDIS_URL, { role: 'producer' });
  const consumer = createRedisConnection(config.REDIS_URL, { role: 'worker' });

  afterAll(async () => {
    producer.disconnect();
    consumer.disconnect();
  });

  it('runs a BullMQ job through a real queue and worker', async () => {
    const queue = createQueue(QUEUES.events, { connection: producer, config });
    const events = new QueueEvents(QUEUES.events, { connection: consumer.duplicate(), prefix: config.QUEUE_PREFIX });
    const worker = new Worker(QUEUES.events, async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), {
      connection: consumer,
      prefix: config.QUEUE_PREFIX,
    });
    try {
      await events.waitUntilReady();
      const job = await queue.add('probe', { n: 21 });
      const result = await job.waitUntilFinished(events, 10_000);
      expect(result).toEqual({ doubled: 42 });
      expect(await producer.info('server')).toMatch(/redis_version/);
      // The job lives under this test's own prefix, nowhere else.
      expect(await producer.exists(`${config.QUEUE_PREFIX}:${QUEUES.events}:${job.id}`)).toBe(1);
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
