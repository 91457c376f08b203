import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { type FaultOptions, type HttpFault, installFaults, type RecordedRequest } from '../evolution/http-faults.js';
import { registerChatHistoryRoute, type WuzapiHistoryStore } from './chat-history-route.js';
import { installWuzapiSessionEndpoints, type WuzapiUserSession } from './session-endpoints.js';

/**
 * A real HTTP server that answers `POST /chat/send/text` like WUZAPI
 * (handlers.go: `token` header, `{Phone, Body, Id}`, answers wrapped in
 * `{code, data, success}`). A repeated `Id` from the same user returns the
 * first result and sends nothing, as WhatsApp keeps one message per id.
 */

export interface WuzapiDoubleOptions {
  /** User token → the user's instance name. */
  users: Record<string, string>;
  host?: string;
}

export interface WuzapiSentRecord {
  /** Instance name of the user who sent. */
  user: string;
  messageId: string;
  phone: string;
  body: string;
  at: number;
}

export interface WuzapiDouble {
  readonly url: string;
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
  /** Every request, in arrival order (headers left out: they carry the token). */
  readonly requests: readonly RecordedRequest[];
  /** Real sends only: a replayed `Id` is not in here twice. */
  readonly sent: readonly WuzapiSentRecord[];
  setResponseDelay(ms: number): void;
  /** The users' message history (`GET /chat/history`), off until `setHistory`. */
  readonly history: WuzapiHistoryStore;
  injectFault(fault: HttpFault, options?: FaultOptions): void;
  clearFaults(): void;
  /** A user's webhook, HMAC key, connection and contacts (by instance name): read and change freely. */
  session(user: string): WuzapiUserSession;
}

const PHONE = /^\+?[1-9]\d{6,14}$/;
const JID = /^[\w.:-]+@(s\.whatsapp\.net|g\.us|lid)$/;

const failure = (code: number, error: string) => ({ code, error, success: false });

export function createWuzapiDouble(options: WuzapiDoubleOptions): WuzapiDouble {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  let delayMs = 0;
  const faults = installFaults(app, () => delayMs);
  const sent: WuzapiSentRecord[] = [];
  const byId = new Map<string, { Details: string; Timestamp: number; Id: string }>();
  let baseUrl: string | undefined;
  const sessions = installWuzapiSessionEndpoints(app, options.users);

  const history = registerChatHistoryRoute(app, options.users);

  app.post('/chat/send/text', async (request, reply) => {
    const token = request.headers.token;
    const user = typeof token === 'string' ? options.users[token] : undefined;
    if (!user) return reply.code(401).send(failure(401, 'unauthorized'));
    const body = (request.body ?? {}) as { Phone?: unknown; Body?: unknown; Id?: unknown };
    if (typeof body.Phone !== 'string' || body.Phone === '') {
      return reply.code(400).send(failure(400, 'missing Phone in Payload'));
    }
    if (typeof body.Body !== 'string' || body.Body === '') {
      return reply.code(400).send(failure(400, 'missing Body in Payload'));
    }
    if (!PHONE.test(body.Phone) && !JID.test(body.Phone)) {
      return reply.code(400).send(failure(400, 'could not parse Phone'));
    }
    const givenId = typeof body.Id === 'string' && body.Id !== '' ? body.Id : undefined;
    const dedupeKey = givenId ? `${user}|${givenId}` : undefined;
    const replayed = dedupeKey ? byId.get(dedupeKey) : undefined;
    if (replayed) return { code: 200, data: replayed, success: true };

    const id = givenId ?? `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
    const data = { Details: 'Sent', Timestamp: Math.floor(Date.now() / 1000), Id: id };
    if (dedupeKey) byId.set(dedupeKey, data);
    sent.push({ user, messageId: id, phone: body.Phone, body: body.Body, at: Date.now() });
    return { code: 200, data, success: true };
  });

  return {
    get url() {
      if (!baseUrl) throw new Error('the WUZAPI double is not listening yet');
      return baseUrl;
    },
    async listen(port = 0) {
      baseUrl = await app.listen({ port, host: options.host ?? '127.0.0.1' });
      return baseUrl;
    },
    async close() {
      faults.abortPauses();
      await app.close();
    },
    requests: faults.requests,
    sent,
    setResponseDelay(ms) {
      delayMs = ms;
    },
    history,
    injectFault: faults.inject,
    clearFaults: faults.clear,
    session: sessions.of,
  };
}
