import type { Config, Logger } from '@zaprelay/core';
import axios from 'axios';
import { call } from '../http/call.js';
import { parseResponse } from '../http/parse-response.js';
import { GatewayNotConfiguredError } from '../not-configured.js';
import {
  connectionStateResponseSchema,
  fetchInstancesResponseSchema,
  findContactsResponseSchema,
  findMessagesResponseSchema,
  type StoredMessage,
  sendTextResponseSchema,
} from './schemas.js';
import { type EvolutionWebhookCalls, evolutionWebhookCalls } from './webhook-calls.js';

const SERVICE = 'evolution';

export type EvolutionClientConfig = Pick<Config, 'EVOLUTION_API_URL' | 'EVOLUTION_API_KEY' | 'EVOLUTION_TIMEOUT_MS'>;

export interface EvolutionSendTextInput {
  /** Digits of a phone, or a JID (group, `@lid`). */
  number: string;
  text: string;
}

export interface EvolutionSentMessage {
  messageId: string;
  /** The chat as Evolution addressed it (it may rewrite some numbers). */
  remoteJid?: string;
  /** Unix milliseconds, when Evolution said. */
  timestampMs?: number;
}

export interface EvolutionConnectionState {
  /** `open`, `connecting`, `close` (or `refused`); `unknown` when Evolution has no state loaded. */
  state: string;
  responseTimeMs: number;
}

export interface EvolutionContact {
  remoteJid: string;
  pushName?: string;
  profilePicUrl?: string;
  id?: string;
}

export interface EvolutionStoredSentMessage {
  messageId: string;
  remoteJid?: string;
  remoteJidAlt?: string;
  text?: string;
  timestampMs?: number;
}

export interface EvolutionClient extends EvolutionWebhookCalls {
  sendText(instance: string, input: EvolutionSendTextInput): Promise<EvolutionSentMessage>;
  connectionState(instance: string): Promise<EvolutionConnectionState>;
  /** Names of every instance this API key can see. */
  fetchInstances(): Promise<string[]>;
  findContacts(instance: string): Promise<EvolutionContact[]>;
  /**
   * Our own messages Evolution stored in a time window, newest first: how a
   * send whose answer was lost is looked for before sending again.
   */
  findSentMessages(
    instance: string,
    window: { since: Date; until: Date; limit?: number },
  ): Promise<EvolutionStoredSentMessage[]>;
}

function toMs(timestamp: number | string | undefined): number | undefined {
  const seconds = typeof timestamp === 'string' ? Number(timestamp) : timestamp;
  return seconds !== undefined && Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

function textOf(message: StoredMessage['message']): string | undefined {
  return message?.conversation ?? message?.extendedTextMessage?.text ?? undefined;
}

const path = (route: string, instance: string) => `${route}/${encodeURIComponent(instance)}`;

export function createEvolutionClient(config: EvolutionClientConfig, logger: Logger): EvolutionClient {
  const { EVOLUTION_API_URL: baseURL, EVOLUTION_API_KEY: apiKey } = config;
  if (!baseURL || !apiKey) {
    throw new GatewayNotConfiguredError(
      [!baseURL && 'EVOLUTION_API_URL', !apiKey && 'EVOLUTION_API_KEY'].filter((v): v is string => Boolean(v)),
    );
  }
  const log = logger.child({ component: 'evolution-client' });
  const http = axios.create({
    baseURL,
    timeout: config.EVOLUTION_TIMEOUT_MS,
    headers: { apikey: apiKey, 'content-type': 'application/json' },
  });
  const ctx = (operation: string, fields?: Record<string, unknown>) => ({
    logger: log,
    service: SERVICE,
    operation,
    fields,
  });

  return {
    ...evolutionWebhookCalls(http, ctx),
    async sendText(instance, { number, text }) {
      const { value } = await call(ctx('sendText', { instance }), async () => {
        const res = await http.post(path('/message/sendText', instance), { number, text });
        return parseResponse(sendTextResponseSchema, res.data, SERVICE, 'sendText');
      });
      return {
        messageId: value.key.id,
        remoteJid: value.key.remoteJid,
        timestampMs: toMs(value.messageTimestamp),
      };
    },

    async connectionState(instance) {
      const { value, durationMs } = await call(ctx('connectionState', { instance }), async () => {
        const res = await http.get(path('/instance/connectionState', instance));
        return parseResponse(connectionStateResponseSchema, res.data, SERVICE, 'connectionState');
      });
      return { state: value.state ?? 'unknown', responseTimeMs: durationMs };
    },

    async fetchInstances() {
      const { value } = await call(ctx('fetchInstances'), async () => {
        const res = await http.get('/instance/fetchInstances');
        return parseResponse(fetchInstancesResponseSchema, res.data, SERVICE, 'fetchInstances');
      });
      return value;
    },

    async findContacts(instance) {
      const { value } = await call(ctx('findContacts', { instance }), async () => {
        const res = await http.post(path('/chat/findContacts', instance), { where: {} });
        return parseResponse(findContactsResponseSchema, res.data, SERVICE, 'findContacts');
      });
      return value.map((c) => ({
        remoteJid: c.remoteJid,
        pushName: c.pushName ?? undefined,
        profilePicUrl: c.profilePicUrl ?? undefined,
        id: c.id ?? undefined,
      }));
    },

    async findSentMessages(instance, { since, until, limit = 50 }) {
      const { value } = await call(ctx('findMessages', { instance }), async () => {
        const res = await http.post(path('/chat/findMessages', instance), {
          where: {
            key: { fromMe: true },
            messageTimestamp: { gte: since.toISOString(), lte: until.toISOString() },
          },
          page: 1,
          offset: limit,
        });
        return parseResponse(findMessagesResponseSchema, res.data, SERVICE, 'findMessages');
      });
      const records = Array.isArray(value) ? value : value.messages.records;
      return records
        .filter((r) => r.key.fromMe !== false)
        .map((r) => ({
          messageId: r.key.id,
          remoteJid: r.key.remoteJid,
          remoteJidAlt: r.key.remoteJidAlt ?? undefined,
          text: textOf(r.message),
          timestampMs: toMs(r.messageTimestamp),
        }));
    },
  };
}
