import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@zaprelay/test-kit';
import { UnrecoverableError } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardFixture, failedJob, PASSWORD, startDashboard, USER } from './dashboard-fixture.js';

/** Debian's chromium; ZAPRELAY_CHROMIUM points elsewhere (or at nothing, to see the skip). */
const CHROMIUM = process.env.ZAPRELAY_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const COMMITTED_SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/screenshots');
/**
 * The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1 (or when
 * missing); other runs write them to a temp dir, so `pnpm test` leaves the tree clean.
 */
const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(join(COMMITTED_SCREENSHOTS, 'status-page.png'))
    ? COMMITTED_SCREENSHOTS
    : mkdtempSync(join(tmpdir(), 'zaprelay-screenshots-'));

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  process.stderr.write(
    `[dashboard browser test] SKIPPED: ${CHROMIUM} not found; install Debian's chromium (apt-get install -y chromium)\n`,
  );
}

describe.skipIf(!hasChromium)(
  hasChromium ? 'dashboard in a real browser' : `dashboard in a real browser (SKIPPED: ${CHROMIUM} missing)`,
  () => {
    let f: DashboardFixture;
    let app: FastifyInstance;
    let browser: Browser;
    let origin: string;
    /** The dashboard under DASHBOARD_BASE_PATH, as a reverse proxy would publish it. */
    let base: string;
    let failing = true;

    beforeAll(async () => {
      f = await startDashboard({
        DASHBOARD_USER: USER,
        DASHBOARD_PASSWORD: PASSWORD,
        DASHBOARD_BASE_PATH: '/ops',
        TRUST_PROXY: 'true',
      });
      app = await f.build();
      await app.listen({ port: 0, host: '127.0.0.1' });
      origin = `http://localhost:${(app.server.address() as AddressInfo).port}`;
      base = `${origin}/ops`;
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    });
    afterAll(async () => {
      await browser?.close();
      await f?.stop();
      if (SCREENSHOTS !== COMMITTED_SCREENSHOTS) rmSync(SCREENSHOTS, { recursive: true, force: true });
    });

    /** Only the dashboard itself is reachable; Bull Board's web-font link and the like are cut off. */
    async function newPage(): Promise<Page> {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        // What a TLS-terminating proxy in front of the dashboard adds to every request.
        extraHTTPHeaders: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.50' },
      });
      await context.route('**/*', (route) =>
        route.request().url().startsWith(origin) ? route.continue() : route.abort('blockedbyclient'),
      );
      return context.newPage();
    }

    async function confirmIn(page: Page, question: string | RegExp): Promise<void> {
      const dialog = page.getByRole('alertdialog');
      await dialog.getByText(question).waitFor();
      await dialog.getByRole('button', { name: 'Confirm', exact: true }).click();
    }

    it('refuses without credentials, logs in, shows status and Bull Board, retries a failed job', async () => {
      await f.seedInstance({ instance: 'browser-test-instance', state: 'open', status: 'healthy', responseTimeMs: 87 });
      await f.seedInstance({ instance: 'support-line', state: 'close', status: 'down', error: 'connection closed' });
      await f.redis.hset(
        f.keys.apis,
        'supercrm',
        JSON.stringify({ status: 'healthy', checkedAt: new Date().toISOString(), errorRate: 0 }),
        'evolution',
        JSON.stringify({
          status: 'degraded',
          checkedAt: new Date().toISOString(),
          errorRate: 0.3,
          reasons: ['slow responses'],
        }),
      );
      await f.redis.zadd(f.keys.crmRequests, Date.now() - 500, 'r1', Date.now() - 800, 'r2');
      await f.redis.lpush(
        f.keys.alerts,
        JSON.stringify({
          id: 'alert-1',
          at: new Date().toISOString(),
          subject: 'instance:support-line',
          from: 'healthy',
          to: 'down',
          reason: 'connection state close',
        }),
      );
      await f.queue('events').addBulk([1, 2, 3, 4].map((n) => ({ name: 'messages.upsert', data: { n } })));

      f.startWorker('crm', async (job) => {
        if (failing && job.data.fail) throw new UnrecoverableError('SuperCRM answered 422 (test)');
        return 'ok';
      });
      const crm = f.queue('crm');
      await crm.addBulk([1, 2, 3].map((n) => ({ name: 'contact-upsert', data: { n } })));
      const dead = await failedJob(crm, 'message-activity', { fail: true, note: 'made to fail by the browser test' });
      f.startWorker('outbound', async () => {
        if (failing) throw new UnrecoverableError('gateway down (test)');
        return 'sent';
      });
      const outbound = f.queue('outbound');
      await failedJob(outbound, 'send', { n: 1 });
      await failedJob(outbound, 'send', { n: 2 });

      const page = await newPage();

      // Refused: a browser lands on the login form, scripts get 401.
      await page.goto(`${base}/admin/queues`);
      expect(new URL(page.url()).pathname).toBe('/ops/login');
      expect((await page.request.get(`${base}/api/status.json`)).status()).toBe(401);

      await page.fill('input[name=user]', USER);
      await page.fill('input[name=password]', 'wrong-password');
      await page.click('button[type=submit]');
      await expect.poll(() => page.textContent('.error')).toBe('Wrong user or password.');

      // Logged in: the form sends us back to where we were going.
      await page.fill('input[name=user]', USER);
      await page.fill('input[name=password]', PASSWORD);
      await Promise.all([page.waitForURL(`${base}/admin/queues`), page.click('button[type=submit]')]);
      const [session] = (await page.context().cookies()).filter((c) => c.name === 'zaprelay_dashboard_session');
      expect(session).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict', path: '/ops/' });

      // Status page.
      await page.goto(`${base}/`);
      const instanceRow = page.locator('tr[data-instance="browser-test-instance"]');
      await expect.poll(() => instanceRow.textContent()).toContain('healthy');
      expect(await page.locator('tr[data-queue="events"] td[data-state="waiting"]').textContent()).toBe('4');
      expect(Number(await page.locator('tr[data-queue="crm"] td[data-state="failed"]').textContent())).toBeGreaterThan(
        0,
      );
      // The page refreshes itself: a new instance shows up without a reload.
      await f.seedInstance({ instance: 'added-later', state: 'connecting', status: 'degraded' });
      await page.locator('tr[data-instance="added-later"]').waitFor({ timeout: 15_000 });
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'status-page.png'), fullPage: true });

      // Bull Board lists every queue.
      await page.goto(`${base}/admin/queues`);
      for (const name of ['events', 'crm', 'outbound', 'monitor', 'alerts', 'contact-sync']) {
        await page.getByText(name, { exact: true }).first().waitFor({ timeout: 15_000 });
      }

      // Replay one dead job: its "Retry" button on the queue's failed tab, then Bull Board's confirmation.
      failing = false;
      await page.goto(`${base}/admin/queues/queue/crm?status=failed`);
      await page.getByText('SuperCRM answered 422 (test)').first().waitFor({ timeout: 15_000 });
      await page.screenshot({ path: join(SCREENSHOTS, 'bull-board.png'), fullPage: true });
      // The per-job button is an icon; its name is the tooltip it shows on hover.
      const retryJob = page.locator('button:has(svg.lucide-refresh-cw)').filter({ hasNotText: 'Retry all' }).first();
      await retryJob.hover();
      await page.getByText('Retry', { exact: true }).waitFor();
      await retryJob.click();
      await confirmIn(page, 'Are you sure that you want to retry this job?');
      await waitFor('the job to leave the failed set', async () => (await dead.getState()) !== 'failed');
      expect(await crm.getJobCounts('failed')).toEqual({ failed: 0 });
      await waitFor('the retried job to complete', async () => (await dead.getState()) === 'completed');

      // Retry all failed jobs of a queue: the "Retry all" button.
      await page.goto(`${base}/admin/queues/queue/outbound?status=failed`);
      await page.getByText('gateway down (test)').first().waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: 'Retry all' }).click();
      await confirmIn(page, /want to retry all .*jobs\?/);
      await waitFor('two completed sends', async () => (await outbound.getJobCounts('completed')).completed === 2);
      expect(await outbound.getJobCounts('failed')).toEqual({ failed: 0 });
    }, 120_000);
  },
);
