import { baseWorkerOptions, createQueue, QUEUES } from '@zaprelay/core';
import { deleteKeysUnder, waitFor } from '@zaprelay/test-kit';
import { testConfig } from '@zaprelay/test-kit/vitest';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';

describe('job retention, given to the workers rather than stored in every job', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('stores no retention in a job, removes completed jobs past their age and keeps a failed one', async () => {
    const config = testConfig({ COMPLETED_JOB_RETENTION_SECONDS: '1' });
    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
    cleanup.push(async () => redis.quit());
    cleanup.push(() => deleteKeysUnder(redis, config.QUEUE_PREFIX));
    const queue = createQueue(QUEUES.events, { connection: redis, config });
    cleanup.push(() => queue.close());
    const finished: string[] = [];
    const worker = new Worker(
      QUEUES.events,
      async (job: Job) => {
        if (job.name === 'bad') throw new UnrecoverableError('permanent');
      },
      { ...baseWorkerOptions(config, redis, QUEUES.events), autorun: false },
    );
    cleanup.push(() => worker.close());
    worker.on('completed', (job) => finished.push(job.id as string));
    worker.on('failed', (job) => finished.push(job?.id ?? '?'));
    const settled = (n: number) => waitFor(`${n} jobs finished`, () => finished.length >= n, 10_000, 20);

    const first = await queue.add('good', { n: 1 }, { jobId: 'first' });
    const bad = await queue.add('bad', { n: 2 }, { jobId: 'bad' });
    const stored = await redis.hget(queue.toKey('first'), 'opts');
    expect(JSON.parse(stored ?? '{}')).not.toHaveProperty('removeOnComplete');
    expect(JSON.parse(stored ?? '{}')).not.toHaveProperty('removeOnFail');
    expect(JSON.parse(stored ?? '{}')).toHaveProperty('attempts', 5);

    worker.run();
    await settled(2);
    expect(await queue.getJobState(first.id as string)).toBe('completed');
    expect(await queue.getJobState(bad.id as string)).toBe('failed');

    // BullMQ trims by age when a later job finishes: the first is then older than its 1 s.
    await new Promise((r) => setTimeout(r, 1100));
    await queue.add('good', { n: 3 }, { jobId: 'third' });
    await settled(3);
    expect(await redis.exists(queue.toKey('first'))).toBe(0);
    expect(await queue.getJobState('third')).toBe('completed');
    expect(await queue.getJobState(bad.id as string)).toBe('failed');
  });
});
