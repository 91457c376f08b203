import { startAppProcess, waitFor } from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import { expectEachOnce, seedContacts, waitForActivities } from './support/crm-expectations.js';
import { STACK_SECRETS } from './support/system-env.js';
import { useSystemStack } from './support/use-system-stack.js';
import { postTexts } from './support/webhooks.js';

describe('system: worker roles (WORKER_QUEUES)', () => {
  // No worker of all roles: each test starts the ones it needs.
  const f = useSystemStack({ label: 'system-roles', workers: 0, env: { QUEUE_SHARDS: '2' } });

  it('an events-only worker leaves CRM work waiting until a crm worker starts; then every message lands once', async () => {
    const { stack, queues } = f;
    const { crm } = f.doubles;
    const phones = ['5511980000001', '5511980000002'];
    seedContacts(crm, phones, 'Roles Known');
    await stack.startWorker({ WORKER_QUEUES: 'events' });

    const ids = await postTexts(stack.ingressUrl, 'ROLES', 6, phones);
    // The events worker turned every webhook into a CRM job, and nothing called the CRM.
    await waitFor(
      'the events shards to be drained into CRM jobs',
      async () => {
        const events = await Promise.all(queues.eventsShards.map((q) => q.getJobCounts('completed')));
        return events.reduce((sum, c) => sum + (c.completed ?? 0), 0) === ids.length;
      },
      30_000,
    );
    expect((await queues.crm.getJobCounts('waiting')).waiting).toBe(ids.length);
    expect(crm.requests()).toEqual([]);

    await stack.startWorker({ WORKER_QUEUES: 'crm,outbound' });
    await waitForActivities(crm, ids);
    await queues.waitUntilIdle();
    expectEachOnce(crm, ids);
  });

  it('a reconciliation waits for a worker with the backfill role, which then runs it', async () => {
    const { stack } = f;
    const headers = { authorization: `Bearer ${STACK_SECRETS.API_TOKEN}`, 'content-type': 'application/json' };
    const res = await fetch(`${stack.ingressUrl}/api/backfill`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ instance: 'sales-01', since: new Date(Date.now() - 3600_000).toISOString() }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const state = async () =>
      ((await (await fetch(`${stack.ingressUrl}/api/backfill/${id}`, { headers })).json()) as { state: string }).state;
    // The workers of the first test serve events, crm and outbound only.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await state()).toBe('queued');
    await stack.startWorker({ WORKER_QUEUES: 'backfill' });
    await waitFor('the reconciliation to run', async () => (await state()) === 'done', 30_000, 200);
  });

  it('a worker with an unknown queue in WORKER_QUEUES exits 1 naming it', async () => {
    const proc = startAppProcess('worker', { ...f.stack.env, WORKER_QUEUES: 'events,crn' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/WORKER_QUEUES: unknown queue "crn" \(known: .*\bbackfill\b/);
  });
});
