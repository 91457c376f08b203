import { createHash, randomUUID } from 'node:crypto';
import {
  type Config,
  collectStatus,
  monitorKeys,
  type OutboundJob,
  outboundResultSchema,
  QUEUES,
  type QueueName,
  type RedisClient,
} from '@zaprelay/core';
import type { Job, Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { apiAuthorized } from '../auth/webhook-auth.js';
import { createReplicationWait } from '../enqueue/replication-wait.js';
import { orUnavailable } from '../http/or-unavailable.js';
import { sendInvalidPayload, sendUnauthorized } from '../http/validation.js';
import { createSendIdempotency } from '../idempotency/send-idempotency.js';
import { contactSyncBodySchema, jobIdParamsSchema, sendMessageBodySchema } from '../schemas/api.js';

export interface ApiRouteDeps {
  config: Config;
  redis: RedisClient;
  queues: Record<QueueName, Queue>;
  /** Every BullMQ queue, events shards included, for /api/status. */
  allQueues: Queue[];
}

const STATE_OF: Record<string, 'queued' | 'active' | 'sent' | 'failed'> = {
  waiting: 'queued',
  delayed: 'queued',
  prioritized: 'queued',
  'waiting-children': 'queued',
  active: 'active',
  completed: 'sent',
  failed: 'failed',
};

/** The project's own API, behind `Authorization: Bearer ${API_TOKEN}`. */
export async function apiRoutes(app: FastifyInstance, { config, redis, queues, allQueues }: ApiRouteDeps) {
  const idempotency = createSendIdempotency({ redis, prefix: config.QUEUE_PREFIX });
  const replicated = createReplicationWait(redis, config);
  app.addHook('onRequest', async (req, reply) => {
    if (!apiAuthorized(config, req)) return sendUnauthorized(reply);
  });

  app.post('/api/messages', async (req, reply) => {
    const parsed = sendMessageBodySchema.safeParse(req.body);
    if (!parsed.success) return sendInvalidPayload(reply, parsed.error);
    // A client retrying with the same Idempotency-Key gets the same send, not a second one.
    const key = req.headers['idempotency-key'];
    const keyed = typeof key === 'string' && key.length > 0 && key.length <= 255;
    const id = keyed
      ? `api-${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`
      : `api-${randomUUID()}`;
    const claim = keyed ? await orUnavailable(idempotency.claim(id, parsed.data)) : undefined;
    // Another message under a used key would otherwise be dropped without a word.
    if (claim?.kind === 'reused') {
      return reply.code(422).send({
        error: 'idempotency_key_reused',
        message: 'this Idempotency-Key was already used for a different message; use a new key',
      });
    }
    // Remembered 24 h, long after the job itself is removed: a late retry is not a second WhatsApp message.
    if (claim?.kind === 'same') {
      // Its first request may have been answered 503 before the job was replicated.
      await orUnavailable(replicated());
      return reply.code(202).send({ id });
    }
    const job: OutboundJob = { ...parsed.data, origin: 'api', requestedAt: Date.now() };
    try {
      await orUnavailable(queues[QUEUES.outbound].add('send', job, { jobId: id }));
    } catch (err) {
      if (claim) await idempotency.release(id).catch(() => {});
      throw err;
    }
    if (claim) await orUnavailable(idempotency.confirm(id, parsed.data));
    await orUnavailable(replicated());
    return reply.code(202).send({ id });
  });

  app.get('/api/messages/:id', async (req, reply) => {
    const params = jobIdParamsSchema.safeParse(req.params);
    if (!params.success) return sendInvalidPayload(reply, params.error);
    const outbound = queues[QUEUES.outbound];
    // State first, then the job: a send that fails between the two reads still shows its error.
    const rawState = await orUnavailable(outbound.getJobState(params.data.id));
    const job: Job | undefined = await orUnavailable(outbound.getJob(params.data.id));
    if (!job) return reply.code(404).send({ error: 'not_found' });
    const state = STATE_OF[rawState] ?? 'queued';
    const result = outboundResultSchema.safeParse(job.returnvalue);
    return {
      id: job.id,
      state,
      attempts: job.attemptsMade,
      ...(result.success ? { gatewayMessageId: result.data.gatewayMessageId } : {}),
      ...(job.failedReason && state !== 'sent' ? { error: job.failedReason } : {}),
    };
  });

  app.get('/api/status', async () => {
    const status = await orUnavailable(collectStatus({ redis, queues: allQueues, config }));
    const keys = monitorKeys(config.QUEUE_PREFIX);
    const instances = await Promise.all(
      status.instances.map(async (instance) => ({
        ...instance,
        history: (await orUnavailable(redis.lrange(keys.history(`instance:${instance.instance}`), 0, 19))).flatMap(
          (raw) => {
            try {
              return [JSON.parse(raw) as unknown];
            } catch {
              return [];
            }
          },
        ),
      })),
    );
    return { ...status, instances };
  });

  app.post('/api/sync/contacts', async (req, reply) => {
    const parsed = contactSyncBodySchema.safeParse(req.body);
    if (!parsed.success) return sendInvalidPayload(reply, parsed.error);
    const id = `sync-${randomUUID()}`;
    const data = { instance: parsed.data.instance, origin: 'api', requestedAt: Date.now(), step: 'fetch' };
    await orUnavailable(queues[QUEUES.contactSync].add('contact-sync', data, { jobId: id }).then(replicated));
    return reply.code(202).send({ id });
  });

  app.get('/api/sync/:id', async (req, reply) => {
    const params = jobIdParamsSchema.safeParse(req.params);
    if (!params.success) return sendInvalidPayload(reply, params.error);
    const job: Job | undefined = await orUnavailable(queues[QUEUES.contactSync].getJob(params.data.id));
    if (!job) return reply.code(404).send({ error: 'not_found' });
    const [state, counts] = await orUnavailable(
      Promise.all([
        job.getState(),
        job.getDependenciesCount({ processed: true, unprocessed: true, ignored: true, failed: true }),
      ]),
    );
    const data = job.data as { instance?: string; total?: number };
    const done = (counts.processed ?? 0) + (counts.ignored ?? 0) + (counts.failed ?? 0);
    const total = data.total ?? done + (counts.unprocessed ?? 0);
    return {
      id: job.id,
      instance: data.instance,
      state,
      total,
      synced: counts.processed ?? 0,
      failed: (counts.ignored ?? 0) + (counts.failed ?? 0),
      progress: total > 0 ? done / total : state === 'completed' ? 1 : 0,
      ...(job.failedReason ? { error: job.failedReason } : {}),
    };
  });
}
