import type { Config, Logger } from '@zaprelay/core';
import axios from 'axios';
import { call } from '../http/call.js';
import { parseResponse } from '../http/parse-response.js';
import { GatewayNotConfiguredError } from '../not-configured.js';
import { sendTextResponseSchema } from './schemas.js';
import { type WuzapiSessionCalls, wuzapiSessionCalls } from './session-calls.js';

const SERVICE = 'wuzapi';

export type WuzapiClientConfig = Pick<Config, 'WUZAPI_API_URL' | 'WUZAPI_TIMEOUT_MS'>;

export interface WuzapiSendTextInput {
  /** Digits of a phone (WUZAPI drops a leading +), or a JID. */
  phone: string;
  body: string;
  /** Our own message id: WhatsApp keeps one message per id, so a retried send cannot go out twice. */
  id: string;
}

export interface WuzapiSentMessage {
  messageId: string;
  timestampMs?: number;
}

export interface WuzapiClient extends WuzapiSessionCalls {
  sendText(userToken: string, input: WuzapiSendTextInput): Promise<WuzapiSentMessage>;
}

function toMs(timestamp: number | string | undefined): number | undefined {
  if (typeof timestamp === 'number') return timestamp * 1000;
  const parsed = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
  return Number.isNaN(parsed) ? undefined : parsed;
}

export function createWuzapiClient(config: WuzapiClientConfig, logger: Logger): WuzapiClient {
  const baseURL = config.WUZAPI_API_URL;
  if (!baseURL) throw new GatewayNotConfiguredError(['WUZAPI_API_URL']);
  const log = logger.child({ component: 'wuzapi-client' });
  const http = axios.create({
    baseURL,
    timeout: config.WUZAPI_TIMEOUT_MS,
    headers: { 'content-type': 'application/json' },
  });

  return {
    ...wuzapiSessionCalls(http, (operation) => ({ logger: log, service: SERVICE, operation })),
    async sendText(userToken, { phone, body, id }) {
      const { value } = await call(
        { logger: log, service: SERVICE, operation: 'sendText', fields: { messageId: id } },
        async () => {
          const res = await http.post(
            '/chat/send/text',
            { Phone: phone, Body: body, Id: id },
            { headers: { token: userToken } },
          );
          return parseResponse(sendTextResponseSchema, res.data, SERVICE, 'sendText');
        },
      );
      return { messageId: value.data.Id, timestampMs: toMs(value.data.Timestamp) };
    },
  };
}
