import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { Logger } from '@zaprelay/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseBasicAuth } from './basic-auth.js';
import { constantTimeEqual } from './constant-time.js';
import { loginPageHeaders, renderLoginPage } from './login-page.js';
import { createLoginThrottle } from './login-throttle.js';
import { createSessionSigner } from './session-token.js';

export const SESSION_COOKIE = 'zaprelay_dashboard_session';

/** Route patterns anyone may reach: probes, Prometheus, and the way in. */
const OPEN_ROUTES = new Set(['/health/live', '/health/ready', '/metrics', '/login', '/logout']);

const loginBodySchema = z.object({
  user: z.string().max(256),
  password: z.string().max(1024),
  next: z.string().max(2048).optional(),
});

/** Only a local path, so the login form cannot be used to bounce people elsewhere. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s\\]*$/.test(next) ? next : '/';
}

function wantsHtml(request: FastifyRequest): boolean {
  return request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
}

export interface AuthOptions {
  user: string;
  password: string;
  sessionTtlMs: number;
  /** Wrong credentials per client address before 429, and for how long. */
  lockout: { maxFailures: number; windowMs: number };
  logger: Logger;
}

/**
 * Every route except OPEN_ROUTES needs either HTTP basic credentials (scripts,
 * curl) or the session cookie the login form sets (people). Must be installed
 * before any other route so the hook covers Bull Board's pages and API too.
 */
export async function installAuth(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const log = options.logger.child({ component: 'dashboard-auth' });
  const signer = createSessionSigner(options.user, options.password, options.sessionTtlMs);
  const credentialsMatch = (user: string, password: string) =>
    // Both compared, always, so the time taken does not tell which one was wrong.
    [constantTimeEqual(user, options.user), constantTimeEqual(password, options.password)].every(Boolean);

  const throttle = createLoginThrottle(options.lockout);
  /** Answers 429 when this client has guessed wrong too often; true when it did. */
  const lockedOut = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const waitMs = throttle.retryAfterMs(request.ip, Date.now());
    if (waitMs <= 0) return false;
    log.warn({ reqId: request.id, ip: request.ip }, 'dashboard login refused: too many wrong attempts');
    void reply
      .code(429)
      .header('retry-after', String(Math.ceil(waitMs / 1000)))
      .send({ error: 'Too Many Requests', message: 'too many wrong user names or passwords; try again later' });
    return true;
  };

  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 16 * 1024 });

  const refuse = (request: FastifyRequest, reply: FastifyReply, reason: string) => {
    if (!request.headers.authorization && wantsHtml(request)) {
      return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    }
    return reply
      .code(401)
      .header('www-authenticate', 'Basic realm="zaprelay dashboard", charset="UTF-8"')
      .send({ error: 'Unauthorized', message: reason });
  };

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== undefined && OPEN_ROUTES.has(request.routeOptions.url)) return;
    const basic = parseBasicAuth(request.headers.authorization);
    if (basic) {
      if (lockedOut(request, reply)) return reply;
      if (credentialsMatch(basic.user, basic.password)) {
        throttle.succeeded(request.ip);
        return;
      }
      throttle.failed(request.ip, Date.now());
      log.warn({ reqId: request.id, ip: request.ip }, 'dashboard basic auth rejected');
      return refuse(request, reply, 'wrong user or password');
    }
    if (request.headers.authorization) return refuse(request, reply, 'only HTTP basic authorization is accepted');
    if (signer.verify(request.cookies[SESSION_COOKIE], Date.now())) return;
    return refuse(request, reply, 'sign in at /login or send HTTP basic credentials');
  });

  app.get('/login', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next);
    return reply.headers(loginPageHeaders()).send(renderLoginPage({ next }));
  });

  app.post('/login', async (request, reply) => {
    const body = loginBodySchema.safeParse(request.body);
    if (!body.success) {
      return reply
        .code(400)
        .headers(loginPageHeaders())
        .send(renderLoginPage({ next: '/', error: 'The form needs a user and a password.' }));
    }
    const next = safeNext(body.data.next);
    if (lockedOut(request, reply)) return reply;
    if (!credentialsMatch(body.data.user, body.data.password)) {
      throttle.failed(request.ip, Date.now());
      log.warn({ reqId: request.id, ip: request.ip }, 'dashboard login rejected');
      return reply
        .code(401)
        .headers(loginPageHeaders())
        .send(renderLoginPage({ next, error: 'Wrong user or password.' }));
    }
    throttle.succeeded(request.ip);
    log.info({ reqId: request.id, ip: request.ip }, 'dashboard login');
    reply.setCookie(SESSION_COOKIE, signer.issue(Date.now()), {
      path: '/',
      httpOnly: true,
      // Strict keeps Bull Board's state-changing API calls from being made cross-site.
      sameSite: 'strict',
      secure: request.protocol === 'https',
      maxAge: Math.floor(options.sessionTtlMs / 1000),
    });
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (_request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });
}
