import {
  type Config,
  createLogger,
  createQueue,
  createRedisConnection,
  type OutboundJob,
  type OutboundResult,
  QUEUES,
} from '@zaprelay/core';
import { createEvolutionClient, createWuzapiClient } from '@zaprelay/gateway-clients';
import {
  createEvolutionDouble,
  createWuzapiDouble,
  type EvolutionDouble,
  type EvolutionDoubleOptions,
  type WuzapiDouble,
} from '@zaprelay/test-kit';
import { testConfig } from '@zaprelay/test-kit/vitest';
import { type Job, type Queue, QueueEvents } from 'bullmq';
import { createOutboundWorker } from '../src/outbound/index.js';

export const EVOLUTION_KEY = 'evolution-test-key';
export const WUZAPI_TOKEN = 'wuzapi-user-token';
/** The instance WUZAPI_USER_TOKENS routes to WUZAPI; `main` goes through Evolution. */
export const WUZAPI_INSTANCE = 'wuz';

export interface OutboundHarness {
  config: Config;
  evolution: EvolutionDouble;
  wuzapi: WuzapiDouble;
  outboundQueue: Queue;
  crmQueue: Queue;
  send(data?: Partial<OutboundJob>): Promise<Job>;
  /** Resolves with the return value, rejects with the failure reason. */
  finished(job: Job): Promise<OutboundResult>;
  reload(job: Job): Promise<Job>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  evolution?: Partial<EvolutionDoubleOptions>;
  /** The key the worker uses, when a test wants it wrong. */
  evolutionKeyUsed?: string;
}

/**
 * Real Redis (the run's), real BullMQ queues and an in-process outbound
 * worker, talking over HTTP to the Evolution and WUZAPI doubles.
 */
export async function startOutboundHarness(options: HarnessOptions = {}): Promise<OutboundHarness> {
  const evolution = createEvolutionDouble({ apiKey: EVOLUTION_KEY, instances: { main: 'open' }, ...options.evolution });
  const wuzapi = createWuzapiDouble({ users: { [WUZAPI_TOKEN]: WUZAPI_INSTANCE } });
  await Promise.all([evolution.listen(), wuzapi.listen()]);

  const config = testConfig({
    EVOLUTION_API_URL: evolution.url,
    EVOLUTION_API_KEY: options.evolutionKeyUsed ?? EVOLUTION_KEY,
    WUZAPI_API_URL: wuzapi.url,
    WUZAPI_USER_TOKENS: `${WUZAPI_INSTANCE}:${WUZAPI_TOKEN}`,
    EVOLUTION_TIMEOUT_MS: '1000',
    WUZAPI_TIMEOUT_MS: '1000',
    EVOLUTION_RETRY_MAX_ATTEMPTS: '3',
    EVOLUTION_RETRY_DELAY_MS: '50',
    EVOLUTION_RETRY_MAX_DELAY_MS: '200',
    ...options.env,
  });
  const logger = createLogger(config, { name: 'outbound-test' });
  const queueConnection = createRedisConnection(config.REDIS_URL, { role: 'worker', name: 'outbound-test-queues' });
  const workerConnection = createRedisConnection(config.REDIS_URL, { role: 'worker', name: 'outbound-test-worker' });
  const outboundQueue = createQueue(QUEUES.outbound, { connection: queueConnection, config });
  const crmQueue = createQueue(QUEUES.crm, { connection: queueConnection, config });
  const events = new QueueEvents(QUEUES.outbound, {
    connection: workerConnection.duplicate(),
    prefix: config.QUEUE_PREFIX,
  });
  await events.waitUntilReady();
  const worker = createOutboundWorker({
    connection: workerConnection,
    config,
    logger,
    evolution: createEvolutionClient(config, logger),
    wuzapi: createWuzapiClient(config, logger),
    outboundQueue,
    crmQueue,
  });
  await worker.waitUntilReady();

  return {
    config,
    evolution,
    wuzapi,
    outboundQueue,
    crmQueue,
    send: (data = {}) =>
      outboundQueue.add('send', {
        instance: 'main',
        to: '+5511987654321',
        text: 'Olá! Seu pedido saiu para entrega.',
        origin: 'api',
        requestedAt: Date.now(),
        ...data,
      } satisfies OutboundJob),
    finished: (job) => job.waitUntilFinished(events, 20_000) as Promise<OutboundResult>,
    reload: async (job) => {
      const fresh = await outboundQueue.getJob(String(job.id));
      if (!fresh) throw new Error(`job ${job.id} is gone`);
      return fresh;
    },
    async close() {
      await worker.close();
      await events.close();
      await outboundQueue.obliterate({ force: true });
      await crmQueue.obliterate({ force: true });
      await outboundQueue.close();
      await crmQueue.close();
      // Send claims are ours, under this test's prefix; they would expire anyway.
      const claims = await queueConnection.keys(`${config.QUEUE_PREFIX}:outbound:claims:*`);
      if (claims.length > 0) await queueConnection.del(...claims);
      await Promise.all([evolution.close(), wuzapi.close()]);
      queueConnection.disconnect();
      workerConnection.disconnect();
    },
  };
}
