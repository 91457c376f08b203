import { randomUUID } from 'node:crypto';
import {
  type BackfillJob,
  backfillProgressSchema,
  type Config,
  configuredSpelling,
  gatewayOfInstance,
  QUEUES,
  type QueueName,
} from '@zaprelay/core';
import type { Job, Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { apiAuthorized } from '../auth/webhook-auth.js';
import { orUnavailable } from '../http/or-unavailable.js';
import { sendInvalidPayload, sendUnauthorized } from '../http/validation.js';
import { jobIdParamsSchema } from '../schemas/api.js';
import { backfillBodySchema } from '../schemas/backfill.js';

export interface BackfillRouteDeps {
  config: Config;
  queues: Record<QueueName, Queue>;
}

const STATE_OF: Record<string, 'queued' | 'running' | 'done' | 'failed'> = {
  waiting: 'queued',
  delayed: 'queued',
  prioritized: 'queued',
  'waiting-children': 'queued',
  active: 'running',
  completed: 'done',
  failed: 'failed',
};

const badField = (reply: FastifyReply, path: string, message: string) =>
  reply.code(400).send({ error: 'invalid_payload', issues: [{ path, message }] });

/**
 * `POST /api/backfill` starts a reconciliation of one instance from its
 * gateway's own store; `GET /api/backfill/:id` is its progress.
 */
export async function backfillRoutes(app: FastifyInstance, { config, queues }: BackfillRouteDeps) {
  app.addHook('onRequest', async (req, reply) => {
    if (!apiAuthorized(config, req)) return sendUnauthorized(reply);
  });

  app.post('/api/backfill', async (req, reply) => {
    const parsed = backfillBodySchema.safeParse(req.body);
    if (!parsed.success) return sendInvalidPayload(reply, parsed.error);
    const now = Date.now();
    const { since } = parsed.data;
    // Names match in any case, but Evolution's findMessages wants its own spelling (EVOLUTION_INSTANCES).
    const instance = configuredSpelling(config.EVOLUTION_INSTANCES, parsed.data.instance);
    const until = Math.min(parsed.data.until ?? now, now);
    if (since >= until) return badField(reply, 'since', 'must be before until (and before now)');
    // Older than the dedupe markers, a message read back cannot be told from one already delivered.
    const memory = config.WEBHOOK_DEDUPE_TTL_SECONDS * 1000;
    if (since < now - memory) {
      return badField(
        reply,
        'since',
        `must be within the last ${config.WEBHOOK_DEDUPE_TTL_SECONDS} s (WEBHOOK_DEDUPE_TTL_SECONDS): older messages cannot be deduplicated`,
      );
    }
    const gateway = gatewayOfInstance(config, instance);
    if (!gateway) {
      return reply.code(404).send({ error: 'unknown_instance', message: `no configured instance named ${instance}` });
    }
    const id = `backfill-${randomUUID()}`;
    const data: BackfillJob = { instance, gateway, since, until, origin: 'api', requestedAt: now };
    await orUnavailable(queues[QUEUES.backfill].add('backfill', data, { jobId: id }));
    return reply.code(202).send({ id });
  });

  app.get('/api/backfill/:id', async (req, reply) => {
    const params = jobIdParamsSchema.safeParse(req.params);
    if (!params.success) return sendInvalidPayload(reply, params.error);
    const job: Job | undefined = await orUnavailable(queues[QUEUES.backfill].getJob(params.data.id));
    if (job?.name !== 'backfill') return reply.code(404).send({ error: 'not_found' });
    const state = STATE_OF[await orUnavailable(job.getState())] ?? 'queued';
    const data = job.data as BackfillJob;
    const progress = backfillProgressSchema.safeParse(job.returnvalue ?? job.progress);
    return {
      id: job.id,
      instance: data.instance,
      gateway: data.gateway,
      since: new Date(data.since).toISOString(),
      until: new Date(data.until).toISOString(),
      state,
      ...(progress.success ? progress.data : { read: 0, known: 0, queued: 0, skipped: 0, notes: [] }),
      ...(job.failedReason && state === 'failed' ? { error: job.failedReason } : {}),
    };
  });
}
