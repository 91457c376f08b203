import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** One instance's webhook row, as Evolution v2 stores it (prisma `Webhook`). */
export interface EvolutionWebhookRow {
  id: string;
  url: string;
  headers: Record<string, string>;
  enabled: boolean;
  events: string[];
  webhookByEvents: boolean;
  webhookBase64: boolean;
  createdAt: string;
  updatedAt: string;
  instanceId: string;
}

/** Where and how a webhook goes out, derived from the stored row. */
export interface WebhookDelivery {
  url: string;
  headers: Record<string, string>;
}

/** Every event Evolution knows (config names): an empty list with enabled=true subscribes to all of them. */
const ALL_EVENTS = [
  'APPLICATION_STARTUP',
  'QRCODE_UPDATED',
  'MESSAGES_SET',
  'MESSAGES_UPSERT',
  'MESSAGES_EDITED',
  'MESSAGES_UPDATE',
  'MESSAGES_DELETE',
  'SEND_MESSAGE',
  'CONTACTS_SET',
  'CONTACTS_UPSERT',
  'CONTACTS_UPDATE',
  'PRESENCE_UPDATE',
  'CHATS_SET',
  'CHATS_UPSERT',
  'CHATS_UPDATE',
  'CHATS_DELETE',
  'GROUPS_UPSERT',
  'GROUP_UPDATE',
  'GROUP_PARTICIPANTS_UPDATE',
  'CONNECTION_UPDATE',
  'CALL',
];

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** Evolution turns a `jwt_key` header into `Authorization: Bearer <HS256 JWT>` valid 10 minutes. */
function evolutionJwt(key: string): string {
  const iat = Math.floor(Date.now() / 1000);
  const head = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(
    JSON.stringify({ iat, exp: iat + 600, app: 'evolution', action: 'webhook' }),
  )}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}

export interface EvolutionWebhookConfigs {
  /** The stored row, or undefined (Evolution answers `null` for it on `/webhook/find`). */
  rowOf(instance: string): EvolutionWebhookRow | undefined;
  /** Wipes the instance's webhook config, as Evolution does on some restarts (issue #2694). */
  lose(instance: string): void;
  /**
   * Where an event goes by the instance's own config: `undefined` when the instance has no
   * config (the double's start-up options apply), `null` when its config does not want the event.
   */
  deliveryFor(instance: string, event: string): WebhookDelivery | null | undefined;
}

type InstanceRequest = FastifyRequest<{ Params: { instance: string } }>;

/**
 * `POST /webhook/set/{instance}` (body nested under `webhook`, answers 201 with the stored row) and
 * `GET /webhook/find/{instance}`, as webhook.controller.ts does them.
 */
export function installWebhookConfig(
  app: FastifyInstance,
  instanceIdOf: (instance: string) => string | undefined,
  notFound: (instance: string) => unknown,
): EvolutionWebhookConfigs {
  const rows = new Map<string, EvolutionWebhookRow>();

  app.post('/webhook/set/:instance', async (request: InstanceRequest, reply) => {
    const instanceId = instanceIdOf(request.params.instance);
    if (!instanceId) return reply.code(404).send(notFound(request.params.instance));
    const webhook = (request.body as { webhook?: Record<string, unknown> } | undefined)?.webhook;
    if (!webhook || typeof webhook !== 'object') {
      return reply
        .code(400)
        .send({ status: 400, error: 'Bad Request', response: { message: ['instance requires property "webhook"'] } });
    }
    if (typeof webhook.url !== 'string' || !/^https?:\/\/\S+$/.test(webhook.url)) {
      return reply
        .code(400)
        .send({ status: 400, error: 'Bad Request', response: { message: ['Invalid "url" property'] } });
    }
    const enabled = webhook.enabled !== false;
    const requested = Array.isArray(webhook.events) ? webhook.events.map(String) : [];
    const now = new Date().toISOString();
    const previous = rows.get(request.params.instance);
    const row: EvolutionWebhookRow = {
      id: previous?.id ?? `wh-${instanceId}`,
      url: webhook.url,
      headers: (webhook.headers as Record<string, string> | undefined) ?? {},
      enabled,
      events: !enabled ? [] : requested.length === 0 ? [...ALL_EVENTS] : requested,
      webhookByEvents: webhook.byEvents === true,
      webhookBase64: webhook.base64 === true,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      instanceId,
    };
    rows.set(request.params.instance, row);
    return reply.code(201).send(row);
  });

  app.get('/webhook/find/:instance', async (request: InstanceRequest, reply) => {
    if (!instanceIdOf(request.params.instance)) return reply.code(404).send(notFound(request.params.instance));
    return reply.type('application/json').send(JSON.stringify(rows.get(request.params.instance) ?? null));
  });

  return {
    rowOf: (instance) => rows.get(instance),
    lose(instance) {
      rows.delete(instance);
    },
    deliveryFor(instance, event) {
      const row = rows.get(instance);
      if (!row) return undefined;
      const configName = event.replace(/[.-]/g, '_').toUpperCase();
      if (!row.enabled || !row.events.includes(configName)) return null;
      const { jwt_key: jwtKey, ...headers } = row.headers;
      if (jwtKey) headers.authorization = `Bearer ${evolutionJwt(jwtKey)}`;
      const url = row.webhookByEvents ? `${row.url.replace(/\/$/, '')}/${event.replace('.', '-')}` : row.url;
      return { url, headers };
    },
  };
}
