import {
  type Config,
  createLogger,
  createMessageTrace,
  createQueue,
  createRedisConnection,
  type InternalMessage,
  type MessageTrace,
  QUEUES,
} from '@zaprelay/core';
import { createCrmClient } from '@zaprelay/supercrm-client';
import { createSuperCrmDouble, type SuperCrmDouble, waitFor } from '@zaprelay/test-kit';
import { testConfig } from '@zaprelay/test-kit/vitest';
import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createContactCache, createCrmWorker } from '../src/crm/index.js';

/** Test support for crm-*.test.ts: the double, a queue and N real workers on their own connections. */
export interface CrmHarness {
  double: SuperCrmDouble;
  config: Config;
  crmQueue: Queue;
  redis: Redis;
  workers: Worker[];
  /** Where the workers trace each message (GET /api/trace/:messageId reads it). */
  trace: MessageTrace;
  /** Seeds a contact in the CRM and caches it, as a contact we already know. */
  knownContact(phone: string, name?: string): Promise<string>;
  /** Resolves once every job has completed or failed for good. */
  settled(expectedJobs: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCrmHarness(options: {
  rateLimit: { max: number; windowMs: number };
  workers?: number;
  apiKey?: string;
  env?: Record<string, string>;
}): Promise<CrmHarness> {
  const double = createSuperCrmDouble({ rateLimit: options.rateLimit });
  const baseUrl = await double.listen();
  const config = testConfig({
    SUPER_CRM_BASE_URL: baseUrl,
    SUPER_CRM_API_KEY: options.apiKey ?? double.apiKey,
    SUPER_CRM_RATE_LIMIT_MAX: String(options.rateLimit.max),
    SUPER_CRM_RATE_LIMIT_DURATION_MS: String(options.rateLimit.windowMs),
    SUPER_CRM_TIMEOUT_MS: '1000',
    SUPER_CRM_RETRY_DELAY_MS: '50',
    SUPER_CRM_RETRY_MAX_DELAY_MS: '200',
    SUPER_CRM_RETRY_MAX_ATTEMPTS: '5',
    WORKER_CONCURRENCY: '4',
    ...options.env,
  });
  const logger = createLogger(config, { name: 'crm-test' });
  const redis = createRedisConnection(config.REDIS_URL, { role: 'worker' });
  const crmQueue = createQueue(QUEUES.crm, { connection: redis, config });
  const cache = createContactCache(redis, config);
  const trace = createMessageTrace(redis, config.QUEUE_PREFIX, 600);

  const connections: Redis[] = [];
  const workers = Array.from({ length: options.workers ?? 2 }, () => {
    const connection = createRedisConnection(config.REDIS_URL, { role: 'worker' });
    connections.push(connection);
    const crmClient = createCrmClient(config, logger);
    return createCrmWorker({ connection, config, logger, crmClient, crmQueue, trace });
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));

  return {
    double,
    config,
    crmQueue,
    redis,
    workers,
    trace,
    async knownContact(phone, name = 'Known Contact') {
      const contact = double.seedContact({ name, phone });
      await cache.set(phone, contact.id);
      return contact.id;
    },
    async settled(expectedJobs, timeoutMs = 20_000) {
      await waitFor(
        `${expectedJobs} CRM jobs completed or failed`,
        async () => {
          const counts = await crmQueue.getJobCounts('completed', 'failed');
          return (counts.completed ?? 0) + (counts.failed ?? 0) >= expectedJobs;
        },
        timeoutMs,
        50,
      );
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await crmQueue.obliterate({ force: true });
      await crmQueue.close();
      // Only this test's own keys (contact cache, chat order, upserts), under its unique prefix; the queue is gone.
      const cached = [
        ...(await redis.keys(`${config.QUEUE_PREFIX}:crm:*`)),
        ...(await redis.keys(`${config.QUEUE_PREFIX}:trace:*`)),
      ];
      if (cached.length > 0) await redis.del(...cached);
      for (const c of connections) c.disconnect();
      redis.disconnect();
      await double.close();
    },
  };
}

let serial = 0;

/** A distinct E.164 phone per call. */
export function newPhone(): string {
  return `+55219${String(10_000_000 + serial++).padStart(8, '0')}`;
}

export function message(phone: string, overrides: Partial<InternalMessage> = {}): InternalMessage {
  const id = `MSG${Date.now().toString(36)}${serial++}`;
  return {
    source: 'evolution',
    instance: 'sales-01',
    messageId: id,
    chatJid: `${phone.slice(1)}@s.whatsapp.net`,
    phone,
    contactName: 'Pushname',
    direction: 'inbound',
    kind: 'text',
    text: `text of ${id}`,
    timestamp: '2026-11-22T14:03:11.000Z',
    isGroup: false,
    ...overrides,
  };
}
