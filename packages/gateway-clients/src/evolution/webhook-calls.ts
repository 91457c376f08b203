import type { AxiosInstance } from 'axios';
import { z } from 'zod';
import { type CallContext, call } from '../http/call.js';
import { parseResponse } from '../http/parse-response.js';

const SERVICE = 'evolution';

/** What zaprelay asks Evolution to post, and what it reads back. */
export interface EvolutionWebhookConfig {
  enabled: boolean;
  url: string;
  /** Sent with every post; `jwt_key` is turned by Evolution into `Authorization: Bearer <JWT>`. */
  headers: Record<string, string>;
  byEvents: boolean;
  base64: boolean;
  /** Config names, upper snake (`MESSAGES_UPSERT`). */
  events: string[];
}

/** What Evolution has now; `undefined` fields are ones this version does not report. */
export interface EvolutionWebhookFound {
  enabled?: boolean;
  url?: string;
  headers?: Record<string, string>;
  byEvents?: boolean;
  events?: string[];
}

/**
 * The stored Webhook row (webhook.controller.ts `set` upserts and answers it; `GET /webhook/find`
 * answers it or `null` when the instance has none). v1 named the flags `webhook_by_events`.
 */
const webhookRowSchema = z
  .looseObject({
    url: z.string().nullish(),
    enabled: z.boolean().nullish(),
    events: z.array(z.string()).nullish(),
    headers: z.record(z.string(), z.unknown()).nullish(),
    webhookByEvents: z.boolean().nullish(),
    webhook_by_events: z.boolean().nullish(),
  })
  .transform(
    (row): EvolutionWebhookFound => ({
      url: row.url ?? undefined,
      enabled: row.enabled ?? undefined,
      events: row.events ?? undefined,
      headers: row.headers
        ? Object.fromEntries(Object.entries(row.headers).map(([k, v]) => [k, String(v)]))
        : undefined,
      byEvents: row.webhookByEvents ?? row.webhook_by_events ?? undefined,
    }),
  );
/** Some versions wrap the row as `{webhook: {...}}`. */
const findResponseSchema = z.union([
  z.null(),
  z.literal(''),
  z.looseObject({ webhook: webhookRowSchema }).transform((v) => v.webhook),
  webhookRowSchema,
]);

export interface EvolutionWebhookCalls {
  /** `POST /webhook/set/{instance}`: replaces the instance's webhook config. */
  setWebhook(instance: string, webhook: EvolutionWebhookConfig): Promise<void>;
  /** `GET /webhook/find/{instance}`: the config Evolution has now, `undefined` when it has none. */
  findWebhook(instance: string): Promise<EvolutionWebhookFound | undefined>;
}

export function evolutionWebhookCalls(
  http: AxiosInstance,
  ctx: (operation: string, fields?: Record<string, unknown>) => CallContext,
): EvolutionWebhookCalls {
  const path = (route: string, instance: string) => `${route}/${encodeURIComponent(instance)}`;
  return {
    async setWebhook(instance, webhook) {
      await call(ctx('setWebhook', { instance }), async () => {
        await http.post(path('/webhook/set', instance), { webhook });
      });
    },
    async findWebhook(instance) {
      const { value } = await call(ctx('findWebhook', { instance }), async () => {
        const res = await http.get(path('/webhook/find', instance));
        return parseResponse(findResponseSchema, res.data ?? null, SERVICE, 'findWebhook');
      });
      return value === null || value === '' || value.url === undefined ? undefined : value;
    },
  };
}
