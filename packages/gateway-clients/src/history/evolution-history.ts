import type { Logger } from '@zaprelay/core';
import axios from 'axios';
import { z } from 'zod';
import type { EvolutionClientConfig } from '../evolution/create-evolution-client.js';
import { call } from '../http/call.js';
import { parseResponse } from '../http/parse-response.js';
import { GatewayNotConfiguredError } from '../not-configured.js';

const SERVICE = 'evolution';

/** A stored message as `findMessages` returns it: the same shape as a `messages.upsert` webhook's `data`. */
const storedRecordSchema = z.looseObject({
  key: z.looseObject({ id: z.string().optional(), remoteJid: z.string().optional() }).optional(),
  messageTimestamp: z.union([z.number(), z.string()]).optional(),
});
export type EvolutionStoredRecord = z.infer<typeof storedRecordSchema>;

/** v2: `{messages: {total, pages, currentPage, records}}`; v1 answered a bare array (one page). */
const pageSchema = z.union([
  z.looseObject({
    messages: z.looseObject({
      total: z.number().optional(),
      pages: z.number().optional(),
      records: z.array(storedRecordSchema),
    }),
  }),
  z.array(storedRecordSchema).transform((records) => ({ messages: { total: records.length, pages: 1, records } })),
]);

export interface EvolutionHistoryPage {
  records: EvolutionStoredRecord[];
  /** Pages of this size in the window; 1 for a version that does not page. */
  pages: number;
}

export interface EvolutionHistoryReader {
  /**
   * One page of the messages Evolution stored in `[since, until]` (both ends,
   * newest first). Both bounds are sent, as ISO strings: Evolution drops the
   * time filter when either is missing and reads epoch seconds as 1970.
   */
  findMessagesPage(
    instance: string,
    query: { since: Date; until: Date; page: number; pageSize: number },
  ): Promise<EvolutionHistoryPage>;
}

export function createEvolutionHistoryReader(config: EvolutionClientConfig, logger: Logger): EvolutionHistoryReader {
  const { EVOLUTION_API_URL: baseURL, EVOLUTION_API_KEY: apiKey } = config;
  if (!baseURL || !apiKey) {
    throw new GatewayNotConfiguredError(
      [!baseURL && 'EVOLUTION_API_URL', !apiKey && 'EVOLUTION_API_KEY'].filter((v): v is string => Boolean(v)),
    );
  }
  const log = logger.child({ component: 'evolution-history' });
  const http = axios.create({
    baseURL,
    timeout: config.EVOLUTION_TIMEOUT_MS,
    headers: { apikey: apiKey, 'content-type': 'application/json' },
  });
  return {
    async findMessagesPage(instance, { since, until, page, pageSize }) {
      const { value } = await call(
        { logger: log, service: SERVICE, operation: 'findMessages', fields: { instance, page } },
        async () => {
          const res = await http.post(`/chat/findMessages/${encodeURIComponent(instance)}`, {
            where: { messageTimestamp: { gte: since.toISOString(), lte: until.toISOString() } },
            page,
            // Evolution's `offset` is the page size.
            offset: pageSize,
          });
          return parseResponse(pageSchema, res.data, SERVICE, 'findMessages');
        },
      );
      return { records: value.messages.records, pages: Math.max(1, value.messages.pages ?? 1) };
    },
  };
}
