import type { FastifyInstance } from 'fastify';

/** A row of WUZAPI's `message_history` table, as `GET /chat/history` answers it. */
export interface WuzapiHistoryRow {
  id: number;
  user_id: string;
  chat_jid: string;
  sender_jid: string;
  message_id: string;
  /** When WUZAPI stored the row (RFC 3339), not when the message was sent. */
  timestamp: string;
  message_type: string;
  text_content: string;
  media_link: string;
}

export interface WuzapiHistoryStore {
  /** `POST /session/history {"history": n}`: keep the newest `n` messages per chat (0 turns history off). */
  setHistory(user: string, keepPerChat: number): void;
  /** A message WUZAPI stored for the user (only when history is on for them, as WUZAPI does). */
  store(user: string, row: Omit<WuzapiHistoryRow, 'id' | 'user_id' | 'timestamp'> & { timestamp?: string }): void;
}

const failure = (code: number, error: string) => ({ code, error, success: false });

/**
 * `GET /chat/history?chat_jid=&limit=` like WUZAPI's handlers.go: `token`
 * header, `501` when history is off for the user, otherwise the chat's
 * newest rows (no cursor), wrapped in `{code, data, success}`.
 */
export function registerChatHistoryRoute(app: FastifyInstance, users: Record<string, string>): WuzapiHistoryStore {
  const keep = new Map<string, number>();
  const rows = new Map<string, WuzapiHistoryRow[]>();
  let nextId = 1;

  app.get('/chat/history', async (request, reply) => {
    const token = request.headers.token;
    const user = typeof token === 'string' ? users[token] : undefined;
    if (!user) return reply.code(401).send(failure(401, 'unauthorized'));
    if (!keep.get(user)) return reply.code(501).send(failure(501, 'message history is disabled for this user'));
    const query = request.query as { chat_jid?: string; limit?: string };
    if (!query.chat_jid) return reply.code(400).send(failure(400, 'chat_jid is required'));
    const limit = query.limit === undefined ? 50 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1) return reply.code(400).send(failure(400, 'invalid limit'));
    const chat = (rows.get(user) ?? []).filter((r) => r.chat_jid === query.chat_jid);
    const newestFirst = [...chat].sort((a, b) => b.id - a.id).slice(0, limit);
    return { code: 200, data: newestFirst, success: true };
  });

  return {
    setHistory(user, keepPerChat) {
      keep.set(user, keepPerChat);
    },
    store(user, row) {
      const limit = keep.get(user) ?? 0;
      if (!limit) return;
      const list = rows.get(user) ?? [];
      list.push({ id: nextId++, user_id: user, timestamp: new Date().toISOString(), ...row });
      const ofChat = list.filter((r) => r.chat_jid === row.chat_jid);
      // WUZAPI trims each chat to its newest `history` rows.
      const drop = new Set(ofChat.slice(0, Math.max(0, ofChat.length - limit)));
      rows.set(
        user,
        list.filter((r) => !drop.has(r)),
      );
    },
  };
}
