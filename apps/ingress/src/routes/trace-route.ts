import { type Config, type MessageTrace, type TraceEntry, traceMessageIdSchema } from '@zaprelay/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { apiAuthorized } from '../auth/webhook-auth.js';
import { orUnavailable } from '../http/or-unavailable.js';
import { sendInvalidPayload, sendUnauthorized } from '../http/validation.js';

const paramsSchema = z.object({ messageId: traceMessageIdSchema });

/** The latest value a field took across the entries, e.g. the CRM contact id. */
const latest = (entries: TraceEntry[], field: string): unknown =>
  entries.findLast((e) => e[field] !== undefined)?.[field];

/** What an operator asks first, read off the entries; the entries themselves follow, oldest first. */
function summarise(entries: TraceEntry[]) {
  const count = (stage: string) => entries.filter((e) => e.stage === stage).length;
  const last = entries.at(-1);
  return {
    received: entries.find((e) => e.stage === 'received')?.at,
    duplicates: count('duplicate'),
    jobIds: [...new Set(entries.map((e) => e.jobId).filter((id) => typeof id === 'string'))],
    crmAttempts: count('crm-attempt'),
    sendAttempts: count('send-attempt'),
    contactId: latest(entries, 'contactId'),
    activityId: latest(entries, 'activityId'),
    gatewayMessageId: latest(entries, 'gatewayMessageId'),
    skipped: latest(entries, 'skipReason'),
    /** What it waits for now (chat-order, breaker-open, lid-phone-unknown), when its last entry is a wait. */
    waiting: last?.stage === 'waiting' ? last.waitReason : undefined,
    lastError: latest(entries, 'error'),
    lastStage: last?.stage,
  };
}

/** `GET /api/trace/:messageId` (Bearer API_TOKEN): where a gateway message or an API send has been. */
export async function traceRoute(app: FastifyInstance, { config, trace }: { config: Config; trace: MessageTrace }) {
  app.addHook('onRequest', async (req, reply) => {
    if (!apiAuthorized(config, req)) return sendUnauthorized(reply);
  });
  app.get('/api/trace/:messageId', async (req, reply) => {
    const params = paramsSchema.safeParse(req.params);
    if (!params.success) return sendInvalidPayload(reply, params.error);
    const entries: TraceEntry[] = await orUnavailable(trace.read(params.data.messageId));
    if (entries.length === 0) {
      return reply
        .code(404)
        .send({ error: 'not_found', message: 'this message id was never seen (or its trace expired)' });
    }
    return { messageId: params.data.messageId, ...summarise(entries), entries };
  });
}
