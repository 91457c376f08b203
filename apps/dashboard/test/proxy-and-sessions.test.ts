import { afterEach, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../src/auth/auth-routes.js';
import { basic, type DashboardFixture, GOOD_AUTH, PASSWORD, startDashboard, USER } from './dashboard-fixture.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const loginBody = (user: string, password: string, next = '/') =>
  new URLSearchParams({ user, password, next }).toString();

describe('dashboard behind a proxy and on the open web', () => {
  const fixtures: DashboardFixture[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const f = await startDashboard({ DASHBOARD_USER: USER, DASHBOARD_PASSWORD: PASSWORD, ...env });
    fixtures.push(f);
    return { f, app: await f.build() };
  };
  afterEach(async () => {
    for (const f of fixtures.splice(0)) await f.stop();
  });

  it("locks out an (address, user) pair, never someone else's correct credentials", async () => {
    const { app } = await start({ TRUST_PROXY: 'true', DASHBOARD_LOGIN_MAX_FAILURES: '3' });
    // Every request comes from the proxy's address; the client is in X-Forwarded-For.
    const login = (user: string, password: string, client: string) =>
      app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: '10.9.9.9',
        headers: { ...FORM, 'x-forwarded-for': client },
        payload: loginBody(user, password),
      });
    for (let i = 0; i < 3; i++) expect((await login(USER, `guess-${i}`, '203.0.113.9')).statusCode).toBe(401);
    expect((await login(USER, PASSWORD, '203.0.113.9')).statusCode).toBe(429);
    // The operator, elsewhere, is not locked out by the stranger's guesses.
    expect((await login(USER, PASSWORD, '198.51.100.7')).statusCode).toBe(303);
    // Guessing other user names from one address does not lock out the real user there either.
    for (let i = 0; i < 3; i++) expect((await login('admin', `guess-${i}`, '198.51.100.8')).statusCode).toBe(401);
    expect((await login('admin', 'guess-x', '198.51.100.8')).statusCode).toBe(429);
    expect((await login(USER, PASSWORD, '198.51.100.8')).statusCode).toBe(303);
  });

  it('sets a Secure, signed session cookie (secret kept in Redis) that logout revokes', async () => {
    const { f, app } = await start();
    const ok = await app.inject({ method: 'POST', url: '/login', headers: FORM, payload: loginBody(USER, PASSWORD) });
    const session = ok.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(session).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(await f.redis.exists(`${f.config.QUEUE_PREFIX}:dashboard:session-secret`)).toBe(1);
    const cookies = { [SESSION_COOKIE]: session?.value ?? '' };
    expect((await app.inject({ url: '/api/status.json', cookies })).statusCode).toBe(200);

    // A second replica on the same Redis accepts it: one secret, generated once.
    const replica = await f.build();
    expect((await replica.inject({ url: '/api/status.json', cookies })).statusCode).toBe(200);
    await replica.close();

    // The unsigned session id alone is not a session.
    const unsigned = String(session?.value).split('.')[0] ?? '';
    expect((await app.inject({ url: '/api/status.json', cookies: { [SESSION_COOKIE]: unsigned } })).statusCode).toBe(
      401,
    );

    const out = await app.inject({ method: 'POST', url: '/logout', cookies });
    expect(out.statusCode).toBe(303);
    // The copied cookie no longer works: the session is gone server-side.
    expect((await app.inject({ url: '/api/status.json', cookies })).statusCode).toBe(401);
  });

  it('leaves Secure off only when explicitly served over plain HTTP', async () => {
    const { app } = await start({ DASHBOARD_PLAIN_HTTP: 'true' });
    const ok = await app.inject({ method: 'POST', url: '/login', headers: FORM, payload: loginBody(USER, PASSWORD) });
    expect(ok.cookies.find((c) => c.name === SESSION_COOKIE)?.secure).toBeFalsy();
  });

  it('refuses a cookie signed with another secret (DASHBOARD_SESSION_SECRET)', async () => {
    const { app } = await start({ DASHBOARD_SESSION_SECRET: 'a'.repeat(40) });
    const ok = await app.inject({ method: 'POST', url: '/login', headers: FORM, payload: loginBody(USER, PASSWORD) });
    const value = ok.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? '';
    const { app: other } = await start({ DASHBOARD_SESSION_SECRET: 'b'.repeat(40) });
    expect((await other.inject({ url: '/api/status.json', cookies: { [SESSION_COOKIE]: value } })).statusCode).toBe(
      401,
    );
  });

  it('serves the dashboard and Bull Board under DASHBOARD_BASE_PATH', async () => {
    const { app } = await start({ DASHBOARD_BASE_PATH: '/zaprelay/' });
    const headers = { authorization: GOOD_AUTH };
    const page = await app.inject({ url: '/zaprelay/', headers });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="admin/queues"');
    expect((await app.inject({ url: '/zaprelay', headers })).headers.location).toBe('/zaprelay/');
    expect((await app.inject({ url: '/zaprelay/api/status.json', headers })).statusCode).toBe(200);
    const board = await app.inject({ url: '/zaprelay/admin/queues', headers });
    expect(board.statusCode).toBe(200);
    expect(board.body).toContain('/zaprelay/admin/queues');
    expect((await app.inject({ url: '/zaprelay/admin/queues/api/queues', headers })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/status.json', headers })).statusCode).toBe(404);

    const html = await app.inject({ url: '/zaprelay/admin/queues', headers: { accept: 'text/html' } });
    expect(html.headers.location).toBe('/zaprelay/login?next=%2Fzaprelay%2Fadmin%2Fqueues');
    const ok = await app.inject({
      method: 'POST',
      url: '/zaprelay/login',
      headers: FORM,
      payload: loginBody(USER, PASSWORD, '/elsewhere'),
    });
    expect(ok.headers.location).toBe('/zaprelay/');
    expect(ok.cookies.find((c) => c.name === SESSION_COOKIE)?.path).toBe('/zaprelay/');
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(200);
  });

  it('protects /metrics with METRICS_TOKEN', async () => {
    const { app } = await start({ METRICS_TOKEN: 'metrics-token-0123456789' });
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/metrics', headers: { authorization: basic(USER, PASSWORD) } })).statusCode).toBe(
      401,
    );
    const ok = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(ok.statusCode).toBe(200);
  });

  it('hides message text in Bull Board from unauthenticated read-only viewers, not from operators', async () => {
    const open = await start({ DASHBOARD_USER: '', DASHBOARD_PASSWORD: '', DASHBOARD_READ_ONLY: 'true' });
    const text = 'Olá, meu CPF é 123.456.789-00';
    await open.f.queue('outbound').add('send', { instance: 'sales-01', to: '+5511900000001', text });
    const url = '/admin/queues/api/queues?activeQueue=outbound&status=waiting';
    const anonymous = await open.app.inject({ url });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.body).not.toContain('CPF');
    expect(anonymous.body).toContain('[hidden]');
    expect(anonymous.body).toContain('+5511900000001');

    const signedIn = await start({ QUEUE_PREFIX: open.f.config.QUEUE_PREFIX });
    const operator = await signedIn.app.inject({ url, headers: { authorization: GOOD_AUTH } });
    expect(operator.body).toContain('CPF');
  });
});
