import {
  ALL_QUEUES,
  type Config,
  createLogger,
  createMetricsRegistry,
  createQueue,
  createRedisConnection,
  type InstanceStatus,
  monitorKeys,
  type QueueName,
} from '@zaprelay/core';
import { deleteKeysUnder, waitFor } from '@zaprelay/test-kit';
import { testConfig } from '@zaprelay/test-kit/vitest';
import { type Job, MetricsTime, type Processor, type Queue, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { buildDashboard } from '../src/app.js';

export const USER = 'operator';
export const PASSWORD = 'correct-horse-battery';

export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
export const GOOD_AUTH = basic(USER, PASSWORD);

/**
 * A dashboard over the run's real Redis under a private prefix, with the
 * queues it shows, so tests can seed jobs and monitor keys and clean exactly
 * what they made.
 */
export async function startDashboard(
  env: Record<string, string> = { DASHBOARD_USER: USER, DASHBOARD_PASSWORD: PASSWORD },
) {
  const config: Config = testConfig(env);
  const redis: Redis = createRedisConnection(config.REDIS_URL, { role: 'worker', name: 'dashboard-test' });
  const queues = ALL_QUEUES.map((name) => createQueue(name, { connection: redis, config }));
  const workers: Worker[] = [];
  const workerConnections: Redis[] = [];
  const logger = createLogger(config, { name: 'dashboard-test' });
  let app: FastifyInstance | undefined;

  const queue = (name: QueueName): Queue => {
    const found = queues.find((q) => q.name === name);
    if (!found) throw new Error(`no queue ${name}`);
    return found;
  };

  return {
    config,
    redis,
    queues,
    queue,
    keys: monitorKeys(config.QUEUE_PREFIX),
    async build(): Promise<FastifyInstance> {
      app = await buildDashboard({ config, logger, redis, registry: createMetricsRegistry('dashboard-test'), queues });
      return app;
    },
    /** A real worker with BullMQ metrics on, as the worker processes run. */
    startWorker(name: QueueName, processor: Processor): Worker {
      const connection = createRedisConnection(config.REDIS_URL, { role: 'worker', name: 'dashboard-test-worker' });
      workerConnections.push(connection);
      const worker = new Worker(name, processor, {
        connection,
        prefix: config.QUEUE_PREFIX,
        metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
      });
      worker.on('error', () => {});
      workers.push(worker);
      return worker;
    },
    async seedInstance(status: Partial<InstanceStatus> & { instance: string }): Promise<void> {
      const full: InstanceStatus = {
        source: 'evolution',
        state: 'open',
        status: 'healthy',
        checkedAt: new Date().toISOString(),
        ...status,
      };
      await redis.hset(monitorKeys(config.QUEUE_PREFIX).instances, full.instance, JSON.stringify(full));
    },
    async stop(): Promise<void> {
      await app?.close();
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(workerConnections.map((c) => c.quit()));
      await Promise.all(queues.map((q) => q.obliterate({ force: true })));
      const k = monitorKeys(config.QUEUE_PREFIX);
      await redis.del(k.instances, k.apis, k.alerts, k.crmRequests, k.lidWaiting);
      // Sessions, login failures and the generated session secret.
      await deleteKeysUnder(redis, `${config.QUEUE_PREFIX}:dashboard`);
      await Promise.all(queues.map((q) => q.close()));
      await redis.quit();
    },
  };
}

export type DashboardFixture = Awaited<ReturnType<typeof startDashboard>>;

/** Adds a job the given worker will fail at once (no retries), and waits until it is in the failed set. */
export async function failedJob(queue: Queue, name: string, data: object): Promise<Job> {
  const job = await queue.add(name, data, { attempts: 1 });
  await waitFor('the job in the failed set', async () => (await job.getState()) === 'failed');
  return job;
}
