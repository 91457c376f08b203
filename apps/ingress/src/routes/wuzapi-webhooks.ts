import { createHash } from 'node:crypto';
import { type Config, wuzapiDedupeKey } from '@zaprelay/core';
import type { FastifyInstance } from 'fastify';
import { wuzapiAuthorized } from '../auth/webhook-auth.js';
import { isIgnoredPresence } from '../enqueue/ignored-events.js';
import { stripInlineMedia } from '../enqueue/strip-inline-media.js';
import { wuzapiTraceIds } from '../enqueue/trace-ids.js';
import { sendInvalidPayload, sendUnauthorized } from '../http/validation.js';
import { HANDLED_WUZAPI_TYPES, wuzapiFormSchema, wuzapiJsonSchema } from '../schemas/wuzapi-webhook.js';
import { isObject, type WebhookRouteDeps } from './webhook-deps.js';

/** Legacy webhooks carry only the user's token: the configured token map names its instance. */
function instanceOf(config: Config, fields: { instanceName?: string; userID?: string; token?: string }): string {
  if (fields.instanceName) return fields.instanceName;
  if (fields.userID) return fields.userID;
  for (const [name, token] of config.WUZAPI_USER_TOKENS ?? []) if (token === fields.token) return name;
  return fields.token ? `token-${createHash('sha256').update(fields.token).digest('hex').slice(0, 12)}` : 'wuzapi';
}

/** `POST /webhooks/wuzapi`: form-encoded (default, legacy) or JSON (`WEBHOOK_FORMAT=json`). */
export async function wuzapiWebhookRoutes(app: FastifyInstance, { config, intake, metrics }: WebhookRouteDeps) {
  app.post('/webhooks/wuzapi', async (req, reply) => {
    const body = req.body;
    // Media types are case-insensitive; Fastify chose the form parser that way too.
    const isForm = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
    const sender = isObject(body) ? body : {};
    if (!wuzapiAuthorized(config, req, req.rawBody ?? Buffer.alloc(0), sender.token, sender)) {
      metrics.event('wuzapi', 'unknown', 'rejected', 'unauthorized');
      intake.refused('wuzapi');
      return sendUnauthorized(reply);
    }
    const parsed = isForm ? wuzapiFormSchema.safeParse(body) : wuzapiJsonSchema.safeParse(body);
    if (!parsed.success) {
      metrics.event('wuzapi', 'unknown', 'rejected', 'invalid_payload');
      return sendInvalidPayload(reply, parsed.error);
    }
    const fields = parsed.data;
    const { jsonData } = fields;
    const type = jsonData.type;
    if (!HANDLED_WUZAPI_TYPES.has(type) || isIgnoredPresence(config, type)) {
      metrics.event('wuzapi', 'other', 'ignored', 'unhandled_event');
      return reply.code(202).send({ status: 'ignored' });
    }
    const instance = instanceOf(config, fields);
    const identity = { userID: fields.userID, instanceName: fields.instanceName };
    const result = await intake.accept({
      source: 'wuzapi',
      event: type,
      instance,
      // Never the user token: the worker takes it from WUZAPI_USER_TOKENS by instance name.
      auth: identity,
      payload: stripInlineMedia({ jsonData, ...identity }, config.WEBHOOK_MAX_INLINE_BYTES),
      dedupeKey: wuzapiDedupeKey(type, instance, jsonData),
      traceIds: wuzapiTraceIds(type, jsonData),
      route: req.routeOptions.url,
    });
    metrics.event('wuzapi', type, result.status);
    req.log.info({ jobId: result.id, outcome: result.status, event: type, instance }, 'webhook stored');
    return reply.code(result.status === 'queued' ? 202 : 200).send(result);
  });
}
