import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { Logger, RedisClient } from '@zaprelay/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseBasicAuth } from './basic-auth.js';
import { constantTimeEqual } from './constant-time.js';
import { loginPageHeaders, renderLoginPage } from './login-page.js';
import { createLoginThrottle } from './login-throttle.js';
import { createSessionStore } from './session-store.js';

export const SESSION_COOKIE = 'zaprelay_dashboard_session';

const loginBodySchema = z.object({
  user: z.string().max(256),
  password: z.string().max(1024),
  next: z.string().max(2048).optional(),
});

/** Only a local path under the dashboard, so the login form cannot be used to bounce people elsewhere. */
function safeNext(next: unknown, basePath: string): string {
  const home = `${basePath}/`;
  if (typeof next !== 'string' || !/^\/(?![/\\])[^\s\\]*$/.test(next)) return home;
  return basePath === '' || next === basePath || next.startsWith(home) ? next : home;
}

function wantsHtml(request: FastifyRequest): boolean {
  return request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
}

export interface AuthOptions {
  user: string;
  password: string;
  sessionTtlMs: number;
  /** Wrong credentials per (client address, user) before 429, and for how long. */
  lockout: { maxFailures: number; windowMs: number };
  logger: Logger;
  redis: RedisClient;
  prefix: string;
  /** Signs the session cookie (@fastify/cookie); see session-store.ts. */
  secret: string;
  /** DASHBOARD_BASE_PATH ('' or '/something'): the cookie's path and where redirects point. */
  basePath: string;
  /** False only when the dashboard is explicitly served over plain HTTP (DASHBOARD_PLAIN_HTTP). */
  secureCookie: boolean;
}

/**
 * Every route of the scope it is installed in, except the login and logout
 * routes, needs either HTTP basic credentials (scripts, curl) or the session
 * cookie the login form sets (people). Must be installed before any other
 * route of that scope so the hook covers Bull Board's pages and API too.
 */
export async function installAuth(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const log = options.logger.child({ component: 'dashboard-auth' });
  const base = options.basePath;
  const openRoutes = new Set([`${base}/login`, `${base}/logout`]);
  const sessions = createSessionStore(options.redis, options.prefix, options.sessionTtlMs);
  const credentialsMatch = (user: string, password: string) =>
    // Both compared, always, so the time taken does not tell which one was wrong.
    [constantTimeEqual(user, options.user), constantTimeEqual(password, options.password)].every(Boolean);

  const throttle = createLoginThrottle({ redis: options.redis, prefix: options.prefix, ...options.lockout });
  /** Answers 429 when this address has guessed this user wrong too often; true when it did. */
  const lockedOut = async (request: FastifyRequest, reply: FastifyReply, user: string): Promise<boolean> => {
    const waitMs = await throttle.retryAfterMs(request.ip, user);
    if (waitMs <= 0) return false;
    log.warn({ reqId: request.id, ip: request.ip }, 'dashboard login refused: too many wrong attempts');
    void reply
      .code(429)
      .header('retry-after', String(Math.ceil(waitMs / 1000)))
      .send({ error: 'Too Many Requests', message: 'too many wrong user names or passwords; try again later' });
    return true;
  };

  await app.register(cookie, { secret: options.secret });
  await app.register(formbody, { bodyLimit: 16 * 1024 });

  const sessionId = (request: FastifyRequest): string | undefined => {
    const raw = request.cookies[SESSION_COOKIE];
    if (!raw) return undefined;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid && unsigned.value ? unsigned.value : undefined;
  };

  const refuse = (request: FastifyRequest, reply: FastifyReply, reason: string) => {
    if (!request.headers.authorization && wantsHtml(request)) {
      return reply.redirect(`${base}/login?next=${encodeURIComponent(request.url)}`, 303);
    }
    return reply
      .code(401)
      .header('www-authenticate', 'Basic realm="zaprelay dashboard", charset="UTF-8"')
      .send({ error: 'Unauthorized', message: reason });
  };

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== undefined && openRoutes.has(request.routeOptions.url)) return;
    const basic = parseBasicAuth(request.headers.authorization);
    if (basic) {
      if (await lockedOut(request, reply, basic.user)) return reply;
      if (credentialsMatch(basic.user, basic.password)) {
        await throttle.succeeded(request.ip, basic.user);
        return;
      }
      await throttle.failed(request.ip, basic.user);
      log.warn({ reqId: request.id, ip: request.ip }, 'dashboard basic auth rejected');
      return refuse(request, reply, 'wrong user or password');
    }
    if (request.headers.authorization) return refuse(request, reply, 'only HTTP basic authorization is accepted');
    const id = sessionId(request);
    if (id && (await sessions.valid(id))) return;
    return refuse(request, reply, `sign in at ${base}/login or send HTTP basic credentials`);
  });

  app.get('/login', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next, base);
    return reply.headers(loginPageHeaders()).send(renderLoginPage({ next }));
  });

  app.post('/login', async (request, reply) => {
    const body = loginBodySchema.safeParse(request.body);
    if (!body.success) {
      return reply
        .code(400)
        .headers(loginPageHeaders())
        .send(renderLoginPage({ next: `${base}/`, error: 'The form needs a user and a password.' }));
    }
    const next = safeNext(body.data.next, base);
    if (await lockedOut(request, reply, body.data.user)) return reply;
    if (!credentialsMatch(body.data.user, body.data.password)) {
      await throttle.failed(request.ip, body.data.user);
      log.warn({ reqId: request.id, ip: request.ip }, 'dashboard login rejected');
      return reply
        .code(401)
        .headers(loginPageHeaders())
        .send(renderLoginPage({ next, error: 'Wrong user or password.' }));
    }
    await throttle.succeeded(request.ip, body.data.user);
    log.info({ reqId: request.id, ip: request.ip }, 'dashboard login');
    reply.setCookie(SESSION_COOKIE, await sessions.create(), {
      path: `${base}/`,
      httpOnly: true,
      // Strict keeps Bull Board's state-changing API calls from being made cross-site.
      sameSite: 'strict',
      secure: options.secureCookie,
      signed: true,
      maxAge: Math.floor(options.sessionTtlMs / 1000),
    });
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (request, reply) => {
    const id = sessionId(request);
    if (id) await sessions.revoke(id);
    reply.clearCookie(SESSION_COOKIE, { path: `${base}/`, secure: options.secureCookie, sameSite: 'strict' });
    return reply.redirect(`${base}/login`, 303);
  });
}
