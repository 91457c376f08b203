import type { AxiosInstance } from 'axios';
import { z } from 'zod';
import { type CallContext, call } from '../http/call.js';
import { parseResponse } from '../http/parse-response.js';

const SERVICE = 'wuzapi';

/** Every WUZAPI answer is `{code, data, success}` (handlers.go, `Respond`). */
const wrapped = <T extends z.ZodType>(data: T) => z.looseObject({ data }).transform((v) => v.data as z.output<T>);

/** `GET /webhook`: `{webhook, subscribe}` (subscribe is the stored comma list split; `[""]` when empty). */
const webhookSchema = wrapped(
  z.looseObject({ webhook: z.string().nullish(), subscribe: z.array(z.string()).nullish() }).transform((v) => ({
    url: v.webhook ?? '',
    events: (v.subscribe ?? []).filter((e) => e !== ''),
  })),
);

/** `GET /session/status`: current versions answer camelCase, API.md (older) `Connected`/`LoggedIn`. */
const statusSchema = wrapped(
  z
    .looseObject({
      connected: z.boolean().optional(),
      loggedIn: z.boolean().optional(),
      Connected: z.boolean().optional(),
      LoggedIn: z.boolean().optional(),
      hmac_configured: z.boolean().optional(),
    })
    .transform((v) => ({
      connected: v.connected ?? v.Connected ?? false,
      loggedIn: v.loggedIn ?? v.LoggedIn ?? false,
      hmacConfigured: v.hmac_configured,
    })),
);

/** `GET /user/contacts`: whatsmeow's contact store, JID → ContactInfo. */
const contactsSchema = wrapped(
  z.record(
    z.string(),
    z.looseObject({
      Found: z.boolean().optional(),
      FirstName: z.string().optional(),
      FullName: z.string().optional(),
      PushName: z.string().optional(),
      BusinessName: z.string().optional(),
    }),
  ),
);

export interface WuzapiWebhookConfig {
  url: string;
  /** WUZAPI event types (`Message`, `ReadReceipt`, …). */
  events: string[];
}

export interface WuzapiSessionStatus {
  connected: boolean;
  loggedIn: boolean;
  /** Reported by current versions only. */
  hmacConfigured?: boolean;
  responseTimeMs: number;
}

export interface WuzapiContact {
  /** `5511987654321@s.whatsapp.net`, or a `@lid`. */
  jid: string;
  /** The name saved in the phone's address book, else the WhatsApp name. */
  name?: string;
}

export interface WuzapiSessionCalls {
  setWebhook(userToken: string, webhook: WuzapiWebhookConfig): Promise<void>;
  getWebhook(userToken: string): Promise<WuzapiWebhookConfig>;
  /** `POST /session/hmac/config`: WUZAPI wants at least 32 characters. */
  setHmacKey(userToken: string, key: string): Promise<void>;
  sessionStatus(userToken: string): Promise<WuzapiSessionStatus>;
  contacts(userToken: string): Promise<WuzapiContact[]>;
}

export function wuzapiSessionCalls(
  http: AxiosInstance,
  ctx: (operation: string, fields?: Record<string, unknown>) => CallContext,
): WuzapiSessionCalls {
  const auth = (token: string) => ({ headers: { token } });
  return {
    async setWebhook(token, { url, events }) {
      await call(ctx('setWebhook'), async () => {
        await http.post('/webhook', { webhookurl: url, events }, auth(token));
      });
    },
    async getWebhook(token) {
      const { value } = await call(ctx('getWebhook'), async () => {
        const res = await http.get('/webhook', auth(token));
        return parseResponse(webhookSchema, res.data, SERVICE, 'getWebhook');
      });
      return value;
    },
    async setHmacKey(token, key) {
      await call(ctx('setHmacKey'), async () => {
        await http.post('/session/hmac/config', { hmac_key: key }, auth(token));
      });
    },
    async sessionStatus(token) {
      const { value, durationMs } = await call(ctx('sessionStatus'), async () => {
        const res = await http.get('/session/status', auth(token));
        return parseResponse(statusSchema, res.data, SERVICE, 'sessionStatus');
      });
      return { ...value, responseTimeMs: durationMs };
    },
    async contacts(token) {
      const { value } = await call(ctx('contacts'), async () => {
        const res = await http.get('/user/contacts', auth(token));
        return parseResponse(contactsSchema, res.data, SERVICE, 'contacts');
      });
      return Object.entries(value).map(([jid, info]) => ({
        jid,
        name: info.FullName || info.PushName || info.BusinessName || info.FirstName || undefined,
      }));
    },
  };
}
