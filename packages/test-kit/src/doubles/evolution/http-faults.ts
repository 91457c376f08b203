import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Faults a gateway double can play, for the next N matching requests:
 * - `status`: answer at once with that status (nothing happens), e.g. 503, or
 *   429 with Retry-After;
 * - `delay`: handle the request at once but answer late, as a slow gateway
 *   does (past the client's timeout, the work is done and the answer lost);
 * - `drop-after-commit`: handle the request (the message is sent) and then cut
 *   the connection without an answer, as when a response is lost.
 */
export type HttpFault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; body?: unknown }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop-after-commit' };

export interface FaultOptions {
  /** How many matching requests get the fault (default 1). */
  count?: number;
  /** Only requests whose path starts with this, e.g. `/message/sendText`. */
  route?: string;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  at: number;
  /** Parsed body, when the request got that far. */
  body?: unknown;
  /** Status answered; absent when the connection was dropped or never answered. */
  status?: number;
  fault?: HttpFault['kind'];
}

interface Rule {
  fault: HttpFault;
  remaining: number;
  route?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    recorded?: RecordedRequest;
    dropAfterCommit?: boolean;
    answerDelayMs?: number;
  }
}

export interface FaultController {
  readonly requests: RecordedRequest[];
  inject(fault: HttpFault, options?: FaultOptions): void;
  clear(): void;
  /** Waits `ms` unless the double is closing. */
  pause(ms: number): Promise<void>;
  abortPauses(): void;
}

/**
 * Installs request recording and fault injection on a double's Fastify app.
 * Headers are not recorded: they carry the API keys and tokens.
 */
export function installFaults(
  app: FastifyInstance,
  /** The double's own, settable answer delay for a request (slow gateway or instance). */
  answerDelay: (request: FastifyRequest) => number = () => 0,
): FaultController {
  const rules: Rule[] = [];
  const requests: RecordedRequest[] = [];
  let closing = new AbortController();

  const pause = async (ms: number) => {
    if (ms <= 0) return;
    await sleep(ms, undefined, { signal: closing.signal }).catch(() => {});
  };

  const take = (path: string): HttpFault | undefined => {
    const index = rules.findIndex((r) => r.remaining > 0 && (!r.route || path.startsWith(r.route)));
    const rule = rules[index];
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) rules.splice(index, 1);
    return rule.fault;
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const recorded: RecordedRequest = { method: request.method, path, at: Date.now() };
    requests.push(recorded);
    request.recorded = recorded;
    const fault = take(path);
    if (!fault) return;
    recorded.fault = fault.kind;
    if (fault.kind === 'delay') request.answerDelayMs = fault.ms;
    else if (fault.kind === 'drop-after-commit') request.dropAfterCommit = true;
    else {
      if (fault.retryAfterSeconds !== undefined) reply.header('retry-after', String(fault.retryAfterSeconds));
      return reply.code(fault.status).send(fault.body ?? { error: `injected ${fault.status}` });
    }
  });

  app.addHook('preHandler', async (request) => {
    if (request.recorded) request.recorded.body = request.body;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    // Status faults answer at once; everything the handler did is answered late if asked.
    if (request.recorded?.fault !== 'status') await pause((request.answerDelayMs ?? 0) + answerDelay(request));
    if (request.recorded) request.recorded.status = reply.statusCode;
    if (request.dropAfterCommit) {
      // The handler has done its work; the client never hears about it.
      if (request.recorded) request.recorded.status = undefined;
      request.raw.socket.destroy();
    }
    return payload;
  });

  return {
    requests,
    inject(fault, { count = 1, route } = {}) {
      rules.push({ fault, remaining: count, route });
    },
    clear() {
      rules.length = 0;
    },
    pause,
    abortPauses() {
      closing.abort();
      closing = new AbortController();
    },
  };
}
