import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import {
  type AppProcess,
  COMPILED_NODE_ARGS,
  compiledEntry,
  freePort,
  repoRoot,
  startAppProcess,
  waitUntilReady,
} from '@zaprelay/test-kit';
import { testRedisUrl, uniquePrefix } from '@zaprelay/test-kit/vitest';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { expectEachOnce, seedContacts, waitForActivities } from './support/crm-expectations.js';
import { type Doubles, startDoubles } from './support/doubles.js';
import { systemEnv } from './support/system-env.js';
import { postTexts } from './support/webhooks.js';

/** Where plain `node` (with the production condition) finds a workspace package, seen from an app. */
function resolvedFrom(app: string, specifier: string): string {
  const script = `process.stdout.write(import.meta.resolve(${JSON.stringify(specifier)}))`;
  return execFileSync(process.execPath, [...COMPILED_NODE_ARGS, '--input-type=module', '-e', script], {
    cwd: join(repoRoot, 'apps', app),
    encoding: 'utf8',
  });
}

/** The modules a bundle still imports at run time (its static ES imports). */
function importsOf(bundlePath: string): string[] {
  const source = readFileSync(join(repoRoot, bundlePath), 'utf8');
  return [...new Set([...source.matchAll(/^import\s[^;]*?\sfrom\s*["']([^"']+)["'];?$/gm)].map((m) => m[1] as string))];
}

describe("the compiled production build (`pnpm build`, then node on each app's bundle)", () => {
  let doubles: Doubles;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    // The root `build` script, as production runs it; incremental, so a second run is quick.
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'pipe' });
    doubles = await startDoubles();
  }, 300_000);
  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await doubles?.close();
  });

  it('resolves every workspace package to its compiled JavaScript, never to TypeScript sources', () => {
    for (const [app, packages] of Object.entries({
      ingress: ['@zaprelay/core', '@zaprelay/service-kit', '@zaprelay/gateway-clients'],
      worker: ['@zaprelay/core', '@zaprelay/gateway-adapters', '@zaprelay/supercrm-client'],
    })) {
      for (const name of packages) expect(resolvedFrom(app, name), `${name} from ${app}`).toMatch(/\/dist\/index\.js$/);
    }
  });

  it("bundles each app whole: at run time it imports only node's own modules and Bull Board (its UI's files)", () => {
    for (const app of ['ingress', 'worker', 'dashboard'] as const) {
      const imports = importsOf(compiledEntry(app));
      expect(imports, app).toContain('node:module');
      expect(
        imports.filter((name) => !isBuiltin(name) && !name.startsWith('@bull-board/')),
        app,
      ).toEqual([]);
    }
    expect(importsOf(compiledEntry('dashboard'))).toContain('@bull-board/api');
  });

  it('runs the compiled ingress, worker and dashboard with plain node: webhooks reach the CRM once, a login works', async () => {
    onTestFailed(() => console.log(processes.map((p) => p.output().slice(-3000)).join('\n---\n')));
    const ingressPort = await freePort();
    const metricsPort = await freePort();
    const env = systemEnv({
      redisUrl: testRedisUrl(),
      queuePrefix: uniquePrefix('compiled'),
      crmBaseUrl: doubles.crm.baseUrl,
      crmApiKey: doubles.crm.apiKey,
      evolutionUrl: doubles.evolution.url,
      ingressPort,
    });
    const dashboardPort = await freePort();
    const ingress = startAppProcess('ingress', env, { compiled: true });
    const worker = startAppProcess('worker', { ...env, WORKER_METRICS_PORT: String(metricsPort) }, { compiled: true });
    // The dashboard too: its login (sessions, rate-limiter-flexible) runs from dist with its own dependencies.
    const dashboard = startAppProcess(
      'dashboard',
      { ...env, DASHBOARD_PORT: String(dashboardPort), DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'compiled-pw' },
      { compiled: true },
    );
    processes.push(ingress, worker, dashboard);
    expect(ingress.child.spawnargs.join(' ')).not.toMatch(/tsx/);
    await waitUntilReady(ingress, `http://127.0.0.1:${ingressPort}/health/ready`);
    await waitUntilReady(worker, `http://127.0.0.1:${metricsPort}/health/ready`);
    await waitUntilReady(dashboard, `http://127.0.0.1:${dashboardPort}/health/ready`);
    const login = await fetch(`http://127.0.0.1:${dashboardPort}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user: 'ops', password: 'compiled-pw', next: '/' }).toString(),
    });
    expect(login.status).toBe(303);
    // Bull Board's page and one of its assets: the bundle leaves its UI's files to node_modules, where it finds them.
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const board = await fetch(`http://127.0.0.1:${dashboardPort}/admin/queues`, { headers: { cookie } });
    expect(board.status).toBe(200);
    const page = await board.text();
    const asset = /(?:src|href)="((?:[^"]*\/)?static\/[^"]+)"/.exec(page)?.[1];
    expect(asset, page.slice(0, 500)).toBeDefined();
    const assetUrl = new URL(asset as string, `http://127.0.0.1:${dashboardPort}/admin/queues/`);
    expect((await fetch(assetUrl, { headers: { cookie } })).status).toBe(200);

    const phones = ['5511930000001', '5511930000002'];
    seedContacts(doubles.crm, phones, 'Compiled');
    const ids = await postTexts(`http://127.0.0.1:${ingressPort}`, 'COMPILED', 6, phones);
    await waitForActivities(doubles.crm, ids);
    expectEachOnce(doubles.crm, ids);
  });
});
