import { ExternalApiError, type Logger } from '@zaprelay/core';
import axios from 'axios';
import { z } from 'zod';
import { call } from '../http/call.js';
import { parseResponse } from '../http/parse-response.js';
import { GatewayNotConfiguredError } from '../not-configured.js';
import type { WuzapiClientConfig } from '../wuzapi/create-wuzapi-client.js';

const SERVICE = 'wuzapi';

/**
 * A row of WUZAPI's `message_history` as `GET /chat/history` returns it.
 * `timestamp` is when WUZAPI stored the row, not when the message was sent.
 */
const historyRowSchema = z.looseObject({
  chat_jid: z.string().optional(),
  sender_jid: z.string().nullish(),
  message_id: z.string().optional(),
  timestamp: z.string().nullish(),
  message_type: z.string().nullish(),
  text_content: z.string().nullish(),
  media_link: z.string().nullish(),
});
export type WuzapiHistoryRow = z.infer<typeof historyRowSchema>;

const historyResponseSchema = z.looseObject({ data: z.array(historyRowSchema).nullish() });

/** History is off for this user (`POST /session/history` was never set): WUZAPI answers 501. */
export class WuzapiHistoryDisabledError extends Error {
  constructor() {
    super('WUZAPI keeps no message history for this user (GET /chat/history answered 501)');
    this.name = 'WuzapiHistoryDisabledError';
  }
}

export interface WuzapiHistoryReader {
  /** The chat's newest `limit` stored messages (WUZAPI has no cursor); throws WuzapiHistoryDisabledError on 501. */
  chatHistory(userToken: string, chatJid: string, limit: number): Promise<WuzapiHistoryRow[]>;
}

export function createWuzapiHistoryReader(config: WuzapiClientConfig, logger: Logger): WuzapiHistoryReader {
  const baseURL = config.WUZAPI_API_URL;
  if (!baseURL) throw new GatewayNotConfiguredError(['WUZAPI_API_URL']);
  const log = logger.child({ component: 'wuzapi-history' });
  const http = axios.create({ baseURL, timeout: config.WUZAPI_TIMEOUT_MS });
  return {
    async chatHistory(userToken, chatJid, limit) {
      try {
        const { value } = await call({ logger: log, service: SERVICE, operation: 'chatHistory' }, async () => {
          const res = await http.get('/chat/history', {
            params: { chat_jid: chatJid, limit },
            headers: { token: userToken },
          });
          return parseResponse(historyResponseSchema, res.data, SERVICE, 'chatHistory');
        });
        return value.data ?? [];
      } catch (err) {
        if (err instanceof ExternalApiError && err.status === 501) throw new WuzapiHistoryDisabledError();
        throw err;
      }
    },
  };
}
