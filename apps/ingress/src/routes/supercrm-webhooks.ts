import type { FastifyInstance } from 'fastify';
import { superCrmAuthorized } from '../auth/webhook-auth.js';
import { sendInvalidPayload, sendUnauthorized } from '../http/validation.js';
import { HANDLED_SUPERCRM_EVENTS, superCrmWebhookSchema } from '../schemas/supercrm-webhook.js';
import type { WebhookRouteDeps } from './webhook-deps.js';

/** `POST /webhooks/supercrm`: HMAC-signed over the raw body, redelivered with the same event id. */
export async function superCrmWebhookRoutes(app: FastifyInstance, { config, intake, metrics }: WebhookRouteDeps) {
  app.post('/webhooks/supercrm', async (req, reply) => {
    if (!superCrmAuthorized(config, req, req.rawBody ?? Buffer.alloc(0))) {
      metrics.event('supercrm', 'unknown', 'rejected', 'unauthorized');
      intake.refused('supercrm');
      return sendUnauthorized(reply);
    }
    const parsed = superCrmWebhookSchema.safeParse(req.body);
    if (!parsed.success) {
      metrics.event('supercrm', 'unknown', 'rejected', 'invalid_payload');
      return sendInvalidPayload(reply, parsed.error);
    }
    const event = parsed.data;
    if (!HANDLED_SUPERCRM_EVENTS.has(event.type)) {
      metrics.event('supercrm', 'other', 'ignored', 'unhandled_event');
      return reply.code(202).send({ status: 'ignored' });
    }
    const result = await intake.accept({
      source: 'supercrm',
      event: event.type,
      instance: 'supercrm',
      payload: event,
      dedupeKey: `supercrm|${event.id}`,
    });
    metrics.event('supercrm', event.type, result.status);
    return reply.code(result.status === 'queued' ? 202 : 200).send(result);
  });
}
