import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardConfigError } from '../src/app.js';
import { SESSION_COOKIE } from '../src/auth/auth-routes.js';
import { constantTimeEqual } from '../src/auth/constant-time.js';
import { basic, type DashboardFixture, GOOD_AUTH, PASSWORD, startDashboard, USER } from './dashboard-fixture.js';

const PROTECTED = ['/', '/api/status.json', '/status/sections', '/admin/queues', '/admin/queues/api/queues'];

describe('dashboard refuses to start unprotected', () => {
  it('throws DashboardConfigError without credentials and without read-only mode', async () => {
    const f = await startDashboard({});
    try {
      await expect(f.build()).rejects.toThrow(DashboardConfigError);
      await expect(f.build()).rejects.toThrow(/DASHBOARD_USER and DASHBOARD_PASSWORD/);
    } finally {
      await f.stop();
    }
  });

  it('throws when only one of user and password is set, even read-only', async () => {
    const f = await startDashboard({ DASHBOARD_USER: USER, DASHBOARD_READ_ONLY: 'true' });
    try {
      await expect(f.build()).rejects.toThrow(/must be set together \(only DASHBOARD_USER is set\)/);
    } finally {
      await f.stop();
    }
  });
});

describe('dashboard authentication', () => {
  let f: DashboardFixture;
  let app: Awaited<ReturnType<DashboardFixture['build']>>;

  beforeAll(async () => {
    // These tests guess wrong on purpose, many times; the lockout has its own tests below.
    f = await startDashboard({
      DASHBOARD_USER: USER,
      DASHBOARD_PASSWORD: PASSWORD,
      DASHBOARD_LOGIN_MAX_FAILURES: '1000',
    });
    app = await f.build();
  });
  afterAll(() => f.stop());

  it.each(PROTECTED)('answers 401 with a basic challenge on %s without credentials', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm="zaprelay dashboard"/);
    expect(res.json()).toMatchObject({ error: 'Unauthorized' });
  });

  it.each([
    ['wrong password', basic(USER, `${PASSWORD}x`)],
    ['wrong user', basic('admin', PASSWORD)],
    ['empty credentials', basic('', '')],
    ['a bearer token', 'Bearer abc'],
  ])('answers 401 for %s', async (_label, authorization) => {
    for (const url of PROTECTED) {
      const res = await app.inject({ method: 'GET', url, headers: { authorization } });
      expect(res.statusCode, url).toBe(401);
    }
  });

  it('protects Bull Board actions too', async () => {
    const res = await app.inject({ method: 'PUT', url: '/admin/queues/api/queues/crm/retry/failed' });
    expect(res.statusCode).toBe(401);
    expect(await f.queue('crm').isPaused()).toBe(false);
  });

  it.each(PROTECTED)('answers 200 on %s with the right basic credentials', async (url) => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: GOOD_AUTH } });
    expect(res.statusCode).toBe(200);
  });

  it('leaves /health/* and /metrics open', async () => {
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('# HELP');
  });

  it('sends a browser without credentials to the login form', async () => {
    const res = await app.inject({ method: 'GET', url: '/admin/queues', headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fadmin%2Fqueues');
    const form = await app.inject({ method: 'GET', url: res.headers.location as string });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<form class="login" method="post" action="login">');
    expect(form.body).toContain('value="/admin/queues"');
  });

  it('logs in through the form with a session cookie that works instead of basic auth', async () => {
    const wrong = await app.inject({
      method: 'POST',
      url: '/login',
      payload: new URLSearchParams({ user: USER, password: 'not-the-password', next: '/' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Wrong user or password.');
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const ok = await app.inject({
      method: 'POST',
      url: '/login',
      payload: new URLSearchParams({ user: USER, password: PASSWORD, next: '/admin/queues' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/admin/queues');
    const session = ok.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });

    const withCookie = await app.inject({
      method: 'GET',
      url: '/api/status.json',
      cookies: { [SESSION_COOKIE]: session?.value ?? '' },
    });
    expect(withCookie.statusCode).toBe(200);

    const tampered = `${session?.value.slice(0, -2)}xx`;
    const forged = await app.inject({
      method: 'GET',
      url: '/api/status.json',
      cookies: { [SESSION_COOKIE]: tampered },
    });
    expect(forged.statusCode).toBe(401);
  });

  it('never redirects off the dashboard after login', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const res = await app.inject({
        method: 'POST',
        url: '/login',
        payload: new URLSearchParams({ user: USER, password: PASSWORD, next }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location, next).toBe('/');
    }
  });

  it('answers 400 with a message to a login without fields', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/login',
      payload: 'user=operator',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The form needs a user and a password.');
  });

  it('clears the session on logout', async () => {
    const res = await app.inject({ method: 'POST', url: '/logout' });
    expect(res.statusCode).toBe(303);
    const cleared = res.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cleared?.value).toBe('');
  });
});

describe('secret comparison', () => {
  it('compares secrets of any length', () => {
    expect(constantTimeEqual('secret', 'secret')).toBe(true);
    expect(constantTimeEqual('secret', 'secret-but-longer')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
  });
});

describe('dashboard lockout after wrong credentials', () => {
  let f: DashboardFixture;
  let app: Awaited<ReturnType<DashboardFixture['build']>>;
  const form = (password: string, remoteAddress: string) =>
    app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress,
      payload: new URLSearchParams({ user: USER, password, next: '/' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  const viaBasic = (password: string, remoteAddress: string) =>
    app.inject({
      method: 'GET',
      url: '/api/status.json',
      remoteAddress,
      headers: { authorization: basic(USER, password) },
    });

  beforeAll(async () => {
    f = await startDashboard({
      DASHBOARD_USER: USER,
      DASHBOARD_PASSWORD: PASSWORD,
      DASHBOARD_LOGIN_MAX_FAILURES: '3',
      DASHBOARD_LOGIN_LOCKOUT_SECONDS: '600',
    });
    app = await f.build();
  });
  afterAll(() => f.stop());

  it('refuses an address with 429 and Retry-After once it guessed wrong too often, even with the right password', async () => {
    expect((await form('guess-1', '10.0.0.1')).statusCode).toBe(401);
    expect((await viaBasic('guess-2', '10.0.0.1')).statusCode).toBe(401);
    expect((await form('guess-3', '10.0.0.1')).statusCode).toBe(401);
    for (const res of [await form(PASSWORD, '10.0.0.1'), await viaBasic(PASSWORD, '10.0.0.1')]) {
      expect(res.statusCode).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(590);
      expect(res.json()).toMatchObject({ error: 'Too Many Requests' });
    }
    // Another address is not affected.
    expect((await viaBasic(PASSWORD, '10.0.0.2')).statusCode).toBe(200);
  });

  it('clears the count on a good login, and never counts requests without credentials', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await app.inject({ method: 'GET', url: '/api/status.json', remoteAddress: '10.0.0.3' })).statusCode).toBe(
        401,
      );
    }
    expect((await form('guess-1', '10.0.0.3')).statusCode).toBe(401);
    expect((await form('guess-2', '10.0.0.3')).statusCode).toBe(401);
    expect((await form(PASSWORD, '10.0.0.3')).statusCode).toBe(303);
    expect((await form('guess-3', '10.0.0.3')).statusCode).toBe(401);
    expect((await form('guess-4', '10.0.0.3')).statusCode).toBe(401);
    expect((await viaBasic(PASSWORD, '10.0.0.3')).statusCode).toBe(200);
  });
});
