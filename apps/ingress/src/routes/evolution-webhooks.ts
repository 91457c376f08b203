import { evolutionDedupeKey } from '@zaprelay/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { evolutionAuthorized } from '../auth/webhook-auth.js';
import { isIgnoredPresence } from '../enqueue/ignored-events.js';
import { EVOLUTION_DROPPED_KEYS, stripInlineMedia } from '../enqueue/strip-inline-media.js';
import { evolutionTraceIds } from '../enqueue/trace-ids.js';
import { sendInvalidPayload, sendUnauthorized } from '../http/validation.js';
import { canonicalEventName, evolutionWebhookSchema, HANDLED_EVOLUTION_EVENTS } from '../schemas/evolution-webhook.js';
import { isObject, type WebhookRouteDeps } from './webhook-deps.js';

/** `POST /webhooks/evolution` and `/webhooks/evolution/:event` ("webhook by events"). */
export async function evolutionWebhookRoutes(app: FastifyInstance, { config, intake, metrics }: WebhookRouteDeps) {
  async function handle(req: FastifyRequest<{ Params: { event?: string } }>, reply: FastifyReply) {
    const body = req.body;
    if (!evolutionAuthorized(config, req, isObject(body) ? body.apikey : undefined)) {
      metrics.event('evolution', 'unknown', 'rejected', 'unauthorized');
      intake.refused('evolution');
      return sendUnauthorized(reply);
    }
    const parsed = evolutionWebhookSchema.safeParse(body);
    if (!parsed.success) {
      metrics.event('evolution', 'unknown', 'rejected', 'invalid_payload');
      return sendInvalidPayload(reply, parsed.error);
    }
    // Not stored: the secret, and where Evolution posted from and to (about 80 bytes per job nothing reads).
    const { apikey: _secret, destination: _to, server_url: _from, ...envelope } = parsed.data;
    if (Array.isArray(envelope.data) && envelope.data.length > config.WEBHOOK_MAX_ITEMS) {
      metrics.event('evolution', 'unknown', 'rejected', 'too_many_items');
      return reply.code(413).send({
        error: 'too_many_items',
        message: `data holds ${envelope.data.length} items; at most ${config.WEBHOOK_MAX_ITEMS} (WEBHOOK_MAX_ITEMS) per webhook`,
      });
    }
    const event = canonicalEventName(envelope.event ?? req.params.event ?? '');
    if (!HANDLED_EVOLUTION_EVENTS.has(event) || isIgnoredPresence(config, event)) {
      metrics.event('evolution', 'other', 'ignored', 'unhandled_event');
      return reply.code(202).send({ status: 'ignored' });
    }
    // The canonical name in the stored payload too (the envelope is already our own copy).
    envelope.event = event;
    const result = await intake.accept({
      source: 'evolution',
      event,
      instance: envelope.instance,
      payload: stripInlineMedia(envelope, config.WEBHOOK_MAX_INLINE_BYTES, EVOLUTION_DROPPED_KEYS),
      dedupeKey: evolutionDedupeKey(event, envelope.instance, envelope.data),
      traceIds: evolutionTraceIds(event, envelope.data),
      route: req.routeOptions.url,
    });
    metrics.event('evolution', event, result.status);
    req.log.info({ jobId: result.id, outcome: result.status, event, instance: envelope.instance }, 'webhook stored');
    return reply.code(result.status === 'queued' ? 202 : 200).send(result);
  }
  app.post('/webhooks/evolution', handle);
  app.post('/webhooks/evolution/:event', handle);
}
