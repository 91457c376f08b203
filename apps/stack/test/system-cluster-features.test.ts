import { loadConfig } from '@zaprelay/core';
import { type AppProcess, evolutionText, freePort, startAppProcess, waitFor, waitUntilReady } from '@zaprelay/test-kit';
import { useRedisCluster } from '@zaprelay/test-kit/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterKeyProblems } from './support/cluster-keys.js';
import { activityCounts, seedContacts, waitForActivities } from './support/crm-expectations.js';
import { STACK_SECRETS } from './support/system-env.js';
import { useSystemStack } from './support/use-system-stack.js';
import { postEvolution, postTexts } from './support/webhooks.js';

const bearer = { authorization: `Bearer ${STACK_SECRETS.API_TOKEN}`, 'content-type': 'application/json' };
const DASHBOARD = { user: 'ops', password: 'cluster-dashboard-pw' };

/**
 * The features whose keys came after the cluster support (reconciliation, breakers, the CRM send window,
 * chat order, traces, Idempotency-Keys, dashboard sessions and login throttling, alerts) on a 3-master
 * cluster with sharded events: each works end to end, no process logs CROSSSLOT, and every key is either
 * tagged with its queue or of a family known to be single-key.
 */
describe('system: reconciliation, breakers, traces, idempotency, contact sync and the dashboard on a 3-master Redis Cluster', () => {
  const cluster = useRedisCluster(3);
  const f = useSystemStack({
    label: 'system-cluster-features',
    workers: 2,
    env: {
      QUEUE_SHARDS: '3',
      CIRCUIT_FAILURE_THRESHOLD: '3',
      CIRCUIT_OPEN_MS: '1000',
      DASHBOARD_USER: DASHBOARD.user,
      DASHBOARD_PASSWORD: DASHBOARD.password,
      DASHBOARD_PLAIN_HTTP: 'true',
      DASHBOARD_LOGIN_MAX_FAILURES: '2',
    },
    lateEnv: () => ({ REDIS_CLUSTER_NODES: cluster.nodes }),
  });
  let dashboard: AppProcess | undefined;
  afterAll(async () => {
    dashboard?.kill('SIGKILL');
    await dashboard?.exited;
  });

  const api = async <T>(path: string, init: RequestInit = {}) => {
    const res = await fetch(`${f.stack.ingressUrl}${path}`, { ...init, headers: bearer });
    return { status: res.status, body: (await res.json()) as T };
  };

  it('each works end to end, nothing logs CROSSSLOT, and no key is untagged outside the single-key families', async () => {
    const { stack, queues } = f;
    const { crm, evolution } = f.doubles;
    const phones = ['5511970000001', '5511970000002'];
    seedContacts(crm, phones, 'Cluster Features');

    // Webhooks through the chat order and the send window, then their trace.
    const live = await postTexts(stack.ingressUrl, 'CF-LIVE', 4, phones);
    await waitForActivities(crm, live);
    const trace = await waitFor(
      'the trace to reach crm-done',
      async () => {
        const t = await api<{ lastStage?: string; contactId?: string }>(`/api/trace/${live[0]}`);
        return t.body.lastStage === 'crm-done' ? t : undefined;
      },
      15_000,
      100,
    );
    expect(trace?.status).toBe(200);
    expect(trace?.body.contactId).toBeDefined();

    // The CRM answers 503: the breaker opens (its hash, Lua), the status shows it, and nothing is lost.
    crm.injectFault({ type: 'unavailable', times: 1_000_000 });
    const down = await postTexts(stack.ingressUrl, 'CF-DOWN', 6, phones);
    await waitFor(
      'the supercrm breaker to open',
      async () => {
        const status = await api<{ apis: Array<{ name: string; circuit: string }> }>('/api/status');
        return status.body.apis.some((a) => a.name === 'supercrm' && a.circuit !== 'closed');
      },
      20_000,
      100,
    );
    crm.clearFaults();
    await waitForActivities(crm, down, 60_000);

    // Messages Evolution stored but never posted: POST /api/backfill brings them in, once.
    const stored = ['CF-LOST-0', 'CF-LOST-1', 'CF-LOST-2'].map((id, i) =>
      evolutionText({ id, phone: phones[i % 2], timestamp: Math.floor(Date.now() / 1000) - 60 }),
    );
    for (const m of stored) evolution.storeMessage('sales-01', m.data);
    evolution.storeMessage('sales-01', evolutionText({ id: live[0], phone: phones[0] }).data);
    const run = await api<{ id: string }>('/api/backfill', {
      method: 'POST',
      body: JSON.stringify({ instance: 'sales-01', since: new Date(Date.now() - 3600_000).toISOString() }),
    });
    expect(run.status).toBe(202);
    const progress = await waitFor(
      'the backfill run',
      async () => {
        const p = await api<{ state: string; queued?: number }>(`/api/backfill/${run.body.id}`);
        if (p.body.state === 'failed') throw new Error(`backfill failed: ${JSON.stringify(p.body)}`);
        return p.body.state === 'done' ? p.body : undefined;
      },
      60_000,
      200,
    );
    expect(progress).toMatchObject({ state: 'done', queued: 3 });
    const lost = stored.map((m) => m.data.key.id);
    await waitForActivities(crm, lost);

    // An agent's send with an Idempotency-Key, retried: one WhatsApp message.
    const send = () =>
      fetch(`${stack.ingressUrl}/api/messages`, {
        method: 'POST',
        headers: { ...bearer, 'idempotency-key': 'cluster-order-1' },
        body: JSON.stringify({ instance: 'sales-01', to: '+5511970000009', text: 'Pedido enviado 📦' }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { id?: string } }));
    const first = await send();
    expect(first.status).toBe(202);
    expect(await send()).toEqual(first);
    await waitFor('the send', () => evolution.sent.some((s) => s.text === 'Pedido enviado 📦'), 30_000, 100);

    // A contact sync: a flow whose parent (contact-sync) and children (crm) share the crm queues' tag.
    evolution.setContacts(
      'sales-01',
      ['5511970000101', '5511970000102', '5511970000103'].map((p) => ({
        remoteJid: `${p}@s.whatsapp.net`,
        pushName: 'Agenda',
      })),
    );
    const sync = await api<{ id: string }>('/api/sync/contacts', {
      method: 'POST',
      body: JSON.stringify({ instance: 'sales-01' }),
    });
    expect(sync.status).toBe(202);
    const synced = await waitFor(
      'the contact sync',
      async () => {
        const p = await api<{ state: string; synced: number }>(`/api/sync/${sync.body.id}`);
        return p.body.state === 'completed' ? p.body : undefined;
      },
      30_000,
      200,
    );
    expect(synced).toMatchObject({ state: 'completed', synced: 3 });

    // The dashboard: a form login (session in Redis), its status page, and the login throttle.
    const port = await freePort();
    dashboard = startAppProcess('dashboard', { ...stack.env, DASHBOARD_PORT: String(port) });
    const dashboardUrl = `http://127.0.0.1:${port}`;
    await waitUntilReady(dashboard, `${dashboardUrl}/health/ready`);
    const login = (password: string) =>
      fetch(`${dashboardUrl}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user: DASHBOARD.user, password, next: '/' }).toString(),
      });
    const ok = await login(DASHBOARD.password);
    expect(ok.status).toBe(303);
    const cookie = ok.headers.get('set-cookie')?.split(';')[0] ?? '';
    const page = await fetch(`${dashboardUrl}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('supercrm');
    expect((await login('wrong-1')).status).toBe(401);
    expect((await login('wrong-2')).status).toBe(401);
    expect((await login(DASHBOARD.password)).status).toBe(429);

    await queues.waitUntilIdle(60_000);
    // Each message once; the one more activity is the agent's send, recorded once too.
    const ids = [...live, ...down, ...lost];
    expect(ids.map((id) => activityCounts(crm).get(id))).toEqual(ids.map(() => 1));
    expect(crm.activities()).toHaveLength(ids.length + 1);
    expect(evolution.sent.filter((s) => s.text === 'Pedido enviado 📦')).toHaveLength(1);
    expect(stack.outputTail(100_000) + dashboard.output()).not.toMatch(/CROSSSLOT/);
    expect(await clusterKeyProblems(queues.connection, loadConfig(stack.env))).toEqual([]);
  });

  it('a duplicate webhook of a reconciled message is recognised on the cluster too', async () => {
    const again = evolutionText({ id: 'CF-LOST-0', phone: '5511970000001' });
    expect(await postEvolution(f.stack.ingressUrl, again)).toBe(200);
  });
});
