import type { FastifyInstance, FastifyRequest } from 'fastify';

/** What Evolution keeps per message (its `Message` table) and `findMessages` answers with. */
export interface FindableMessage {
  /** Extra key fields (participant, remoteJidAlt…) are kept and returned. */
  key: { id: string; remoteJid: string; fromMe: boolean };
  /** Unix seconds, as Baileys gives it (a number, or a numeric string in some versions). */
  messageTimestamp: number | string | object;
  id?: string;
  pushName?: string | null;
  message?: unknown;
  messageType?: string;
  source?: string;
  contextInfo?: unknown;
}

interface FindMessagesBody {
  where?: {
    key?: { id?: string; fromMe?: boolean; remoteJid?: string };
    messageTimestamp?: { gte?: unknown; lte?: unknown };
  };
  page?: number;
  offset?: number;
}

const secondsOf = (m: FindableMessage) => Number(m.messageTimestamp);
const toSeconds = (v: unknown) => Math.floor(new Date(v as string | number).getTime() / 1000);

/**
 * `POST /chat/findMessages/{instance}` with Evolution v2.3's quirks
 * (channel.service.ts, fetchMessages):
 *  - the time filter applies only when BOTH `gte` and `lte` are given; each is
 *    read with `new Date(x)`, so epoch seconds mean 1970 and ISO or epoch
 *    milliseconds work; a value `new Date` cannot read is a 500 (Prisma gets NaN);
 *  - `key.fromMe: false` is ignored (a truthiness check);
 *  - `offset` is the page size (default 50), `page` starts at 1, newest first;
 *  - the answer is `{messages: {total, pages, currentPage, records}}`.
 */
export function registerFindMessagesRoute(
  app: FastifyInstance,
  messagesOf: (instance: string) => FindableMessage[] | undefined,
  instanceIdOf: (instance: string) => string | undefined,
): void {
  app.post('/chat/findMessages/:instance', async (request: FastifyRequest<{ Params: { instance: string } }>, reply) => {
    const messages = messagesOf(request.params.instance);
    if (!messages) {
      return reply.code(404).send({
        status: 404,
        error: 'Not Found',
        response: { message: [`The "${request.params.instance}" instance does not exist`] },
      });
    }
    const query = (request.body ?? {}) as FindMessagesBody;
    const key = query.where?.key ?? {};
    const range = query.where?.messageTimestamp;
    const filtered = Boolean(range?.gte && range?.lte);
    const gte = filtered ? toSeconds(range?.gte) : undefined;
    const lte = filtered ? toSeconds(range?.lte) : undefined;
    if (Number.isNaN(gte) || Number.isNaN(lte)) {
      return reply.code(500).send({
        status: 500,
        error: 'Internal Server Error',
        response: { message: ['Invalid value for messageTimestamp'] },
      });
    }
    const matching = messages
      .filter(
        (m) =>
          (!key.id || m.key.id === key.id) &&
          (!key.fromMe || m.key.fromMe === key.fromMe) &&
          (!key.remoteJid || m.key.remoteJid === key.remoteJid) &&
          (gte === undefined || secondsOf(m) >= gte) &&
          (lte === undefined || secondsOf(m) <= (lte as number)),
      )
      .sort((a, b) => secondsOf(b) - secondsOf(a));
    const offset = query.offset || 50;
    const page = query.page || 1;
    const instanceId = instanceIdOf(request.params.instance);
    return {
      messages: {
        total: matching.length,
        pages: Math.ceil(matching.length / offset),
        currentPage: page,
        records: matching.slice(offset * (page - 1), offset * page).map((m) => ({
          id: typeof m.id === 'string' ? m.id : `${instanceId}-${m.key.id}`,
          key: m.key,
          pushName: m.pushName ?? null,
          messageType: m.messageType ?? 'conversation',
          message: m.message ?? null,
          messageTimestamp: m.messageTimestamp,
          instanceId,
          source: m.source ?? 'android',
          contextInfo: m.contextInfo ?? null,
          MessageUpdate: [],
        })),
      },
    };
  });
}
