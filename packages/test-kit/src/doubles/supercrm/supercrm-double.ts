import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@zaprelay/core';
import Fastify, { type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import { type AgentEdit, editAsAgent } from './agent-edits.js';
import { type Answer, type CrmActivity, type CrmContact, createCrmState, errorAnswer } from './crm-state.js';
import { createBarriers, createFaultPlan, type FaultRule, type SuperCrmFault } from './faults.js';
import { createSlidingWindow, maxInAnyWindow } from './sliding-window.js';

export interface SuperCrmDoubleOptions {
  /** Accepted API keys; the rate limit and idempotency keys are per key. */
  apiKeys?: string[];
  rateLimit?: { max?: number; windowMs?: number };
  /** Path the API lives under, like the real base URL's `/v1`. */
  basePath?: string;
  idempotencyTtlMs?: number;
  /** Silent unless given (the demo launcher passes one). */
  logger?: Logger;
}

/** One request as the double saw it. */
export interface SuperCrmRequestRecord {
  method: string;
  /** Path below the base path, without the query. */
  path: string;
  /** The raw query string, when there was one (e.g. `phone=%2B55…&phone=%2B55…`). */
  query?: string;
  /** Arrival, ms since the epoch with sub-ms precision. */
  time: number;
  idempotencyKey?: string;
  userAgent?: string;
  /** Authenticated requests are the ones the rate limit counts. */
  authenticated: boolean;
  /** Index of the API key used, when authenticated. */
  apiKeyIndex?: number;
  /** Status answered, or the one committed but never sent (dropped). */
  status?: number;
  replayed: boolean;
  dropped: boolean;
  fault?: SuperCrmFault['type'];
}

export interface SuperCrmDouble {
  /** Starts the server; resolves to the base URL (e.g. `http://127.0.0.1:40123/v1`). */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  readonly baseUrl: string;
  /** The first accepted API key. */
  readonly apiKey: string;
  readonly rateLimit: { max: number; windowMs: number };
  contacts(): CrmContact[];
  activities(): CrmActivity[];
  requests(): SuperCrmRequestRecord[];
  /** The most counted requests of one API key in any window of `rateLimit.windowMs`, from the records. */
  maxRequestsInAnyWindow(): number;
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  pendingFaults(): number;
  seedContact(input: { name: string; phone: string; email?: string }): CrmContact;
  removeContact(id: string): boolean;
  /** An agent edits the contact in the CRM (rename, move a phone): no request, `updated_at` bumped. */
  editContactAsAgent(id: string, edit: AgentEdit): CrmContact;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const now = () => performance.timeOrigin + performance.now();

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  return match?.[1];
}

/**
 * A real HTTP server following SuperCRM's contract, for tests and the demo:
 * bearer keys, the sliding-window limit, idempotent POSTs, 400/404/409, a
 * record of every request and faults on demand. Idempotency stores 2xx
 * answers only: an answer that committed nothing is safe to compute again.
 */
export function createSuperCrmDouble(options: SuperCrmDoubleOptions = {}): SuperCrmDouble {
  const apiKeys = options.apiKeys ?? ['test-supercrm-key'];
  const rateLimit = { max: options.rateLimit?.max ?? 100, windowMs: options.rateLimit?.windowMs ?? 60_000 };
  const basePath = options.basePath ?? '/v1';
  const idempotencyTtlMs = options.idempotencyTtlMs ?? DAY_MS;

  const state = createCrmState();
  const window = createSlidingWindow(rateLimit.max, rateLimit.windowMs);
  const faults = createFaultPlan();
  const barriers = createBarriers();
  const records: SuperCrmRequestRecord[] = [];
  const recordOf = new WeakMap<FastifyRequest, SuperCrmRequestRecord>();
  const dropAfterCommit = new WeakSet<FastifyRequest>();
  const idempotency = new Map<string, { method: string; path: string; answer: Answer; at: number }>();
  let baseUrl: string | undefined;

  const app = Fastify({
    forceCloseConnections: true,
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
  });

  const below = (path: string) => (path.startsWith(basePath) ? path.slice(basePath.length) || '/' : path);
  const recordFor = (request: FastifyRequest) => recordOf.get(request) as SuperCrmRequestRecord;

  function send(request: FastifyRequest, reply: FastifyReply, answer: Answer, replayed = false) {
    const record = recordFor(request);
    record.replayed = replayed;
    if (dropAfterCommit.has(request)) {
      record.status = answer.status;
      record.dropped = true;
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    if (replayed) reply.header('Idempotent-Replayed', 'true');
    return reply.code(answer.status).send(answer.body);
  }

  /** POST semantics: a repeated key gets the first (successful) answer again and changes nothing. */
  function idempotent(request: FastifyRequest, reply: FastifyReply, compute: () => Answer) {
    const header = request.headers['idempotency-key'];
    if (header === undefined) return send(request, reply, compute());
    if (typeof header !== 'string' || header.length === 0 || header.length > 255) {
      return send(request, reply, errorAnswer(400, 'bad_request', 'Idempotency-Key must be 1 to 255 characters'));
    }
    const record = recordFor(request);
    const scope = `${record.apiKeyIndex}\n${header}`;
    const stored = idempotency.get(scope);
    if (stored && now() - stored.at < idempotencyTtlMs) {
      if (stored.method !== record.method || stored.path !== record.path) {
        const message = `Idempotency-Key was first used for ${stored.method} ${stored.path}`;
        return send(request, reply, errorAnswer(422, 'idempotency_key_reused', message));
      }
      return send(request, reply, stored.answer, true);
    }
    const answer = compute();
    if (answer.status < 300) {
      // A copy: the first answer must not change when the contact does later.
      const frozen = { status: answer.status, body: JSON.parse(JSON.stringify(answer.body)) };
      idempotency.set(scope, { method: record.method, path: record.path, answer: frozen, at: now() });
    }
    return send(request, reply, answer);
  }

  app.addHook('onRequest', async (request, reply) => {
    const path = below(request.url.split('?')[0] ?? '/');
    const idempotencyKey = request.headers['idempotency-key'];
    const query = request.url.split('?')[1];
    const record: SuperCrmRequestRecord = {
      method: request.method,
      path,
      ...(query ? { query } : {}),
      time: now(),
      idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
      userAgent: request.headers['user-agent'],
      authenticated: false,
      replayed: false,
      dropped: false,
    };
    records.push(record);
    recordOf.set(request, record);

    const keyIndex = apiKeys.indexOf(bearer(request.headers.authorization) ?? '');
    if (keyIndex < 0) {
      return reply.code(401).send({ error: 'unauthorized', message: 'missing or wrong API key' });
    }
    record.authenticated = true;
    record.apiKeyIndex = keyIndex;

    const verdict = window.admit(String(keyIndex), record.time);
    reply.header('X-RateLimit-Limit', String(rateLimit.max));
    reply.header('X-RateLimit-Remaining', String(verdict.remaining));
    if (!verdict.allowed) {
      return reply
        .code(429)
        .header('Retry-After', String(verdict.retryAfterSeconds))
        .send({ error: 'rate_limited', message: `at most ${rateLimit.max} requests per ${rateLimit.windowMs} ms` });
    }

    const route = request.routeOptions.url ? below(request.routeOptions.url) : undefined;
    const fault = faults.take(request.method, path, route);
    if (!fault) return;
    record.fault = fault.type;
    switch (fault.type) {
      case 'unavailable':
        return reply.code(503).send({ error: 'unavailable', message: 'injected: service unavailable' });
      case 'rate-limited':
        return reply
          .code(429)
          .header('Retry-After', String(fault.retryAfterSeconds ?? 1))
          .header('X-RateLimit-Remaining', '0')
          .send({ error: 'rate_limited', message: 'injected: rate limited' });
      case 'delay':
        await sleep(fault.ms);
        return;
      case 'status':
        return reply.code(fault.status).send({ error: 'injected', message: `injected: status ${fault.status}` });
      case 'drop-response-after-commit':
        dropAfterCommit.add(request);
        return;
      case 'barrier':
        await barriers.arrive(fault);
        return;
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    const record = recordOf.get(request);
    if (record) record.status = reply.statusCode;
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${below(request.url)}` }),
  );

  app.setErrorHandler((err: { statusCode?: number; message: string }, _request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const code = status === 415 ? 'unsupported_media_type' : status === 500 ? 'internal' : 'bad_request';
    return reply.code(status).send({ error: code, message: err.message });
  });

  app.register(
    async (api) => {
      api.get('/contacts/search', async (request, reply) =>
        send(request, reply, state.search((request.query as { phone?: unknown }).phone)),
      );
      api.post('/contacts', async (request, reply) =>
        idempotent(request, reply, () => state.createContact(request.body)),
      );
      api.get<{ Params: { id: string } }>('/contacts/:id', async (request, reply) =>
        send(request, reply, state.getContact(request.params.id)),
      );
      api.put<{ Params: { id: string } }>('/contacts/:id', async (request, reply) =>
        send(request, reply, state.updateContact(request.params.id, request.body)),
      );
      api.post<{ Params: { id: string } }>('/contacts/:id/activities', async (request, reply) =>
        idempotent(request, reply, () => state.createActivity(request.params.id, request.body)),
      );
    },
    { prefix: basePath },
  );

  return {
    async listen(port = 0, host = '127.0.0.1') {
      await app.listen({ port, host });
      const address = app.server.address() as AddressInfo;
      baseUrl = `http://${host}:${address.port}${basePath}`;
      return baseUrl;
    },
    close: () => app.close(),
    get baseUrl() {
      if (!baseUrl) throw new Error('the SuperCRM double is not listening yet');
      return baseUrl;
    },
    apiKey: apiKeys[0] as string,
    rateLimit,
    contacts: state.contacts,
    activities: state.activities,
    requests: () => records.map((r) => ({ ...r })),
    maxRequestsInAnyWindow() {
      const counted = records.filter((r) => r.authenticated);
      const keys = new Set(counted.map((r) => r.apiKeyIndex));
      return Math.max(
        0,
        ...[...keys].map((k) =>
          maxInAnyWindow(
            counted.filter((r) => r.apiKeyIndex === k).map((r) => r.time),
            rateLimit.windowMs,
          ),
        ),
      );
    },
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    pendingFaults: () => faults.pending(),
    seedContact: (input) => state.seed(input),
    removeContact: (id) => state.remove(id),
    editContactAsAgent: (id, edit) => editAsAgent(state, id, edit),
  };
}
