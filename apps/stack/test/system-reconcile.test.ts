import { evolutionText, waitFor } from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import { expectEachOnce, waitForActivities } from './support/crm-expectations.js';
import { STACK_SECRETS } from './support/system-env.js';
import { useSystemStack } from './support/use-system-stack.js';
import { postEvolution } from './support/webhooks.js';

const bearer = { authorization: `Bearer ${STACK_SECRETS.API_TOKEN}`, 'content-type': 'application/json' };

/** A message as Evolution has it: stored first, then (maybe) posted as a webhook. */
function inbound(id: string, phone: string, secondsAgo: number) {
  return evolutionText({ id, phone, text: `mensagem ${id}`, timestamp: Math.floor(Date.now() / 1000) - secondsAgo });
}

describe('system: webhooks lost while the ingress is down, reconciled through POST /api/backfill', () => {
  const f = useSystemStack({ label: 'system-reconcile-api' });

  it('brings in exactly the lost messages, once each, and a second run changes nothing', async () => {
    const { stack } = f;
    const { crm, evolution } = f.doubles;
    const before = [inbound('LOST-API-0', '5511944440001', 900), inbound('LOST-API-1', '5511944440002', 800)];
    for (const m of before) {
      evolution.storeMessage('sales-01', m.data);
      expect(await postEvolution(stack.ingressUrl, m)).toBe(202);
    }

    // The ingress is down (a deploy): Evolution stores the messages, its webhooks go nowhere.
    stack.ingress.kill('SIGTERM');
    await stack.ingress.exited;
    const lost = [
      inbound('LOST-API-2', '5511944440001', 600),
      inbound('LOST-API-3', '5511944440003', 500),
      inbound('LOST-API-4', '5511944440001', 400),
    ];
    for (const m of lost) {
      evolution.storeMessage('sales-01', m.data);
      expect(await postEvolution(stack.ingressUrl, m)).toBe('no-answer');
    }
    await stack.startIngress();
    await waitForActivities(crm, ['LOST-API-0', 'LOST-API-1']);

    const start = async () => {
      const res = await fetch(`${stack.ingressUrl}/api/backfill`, {
        method: 'POST',
        headers: bearer,
        body: JSON.stringify({ instance: 'sales-01', since: new Date(Date.now() - 3600_000).toISOString() }),
      });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      return waitFor(
        `backfill ${id} done`,
        async () => {
          const progress = (await (
            await fetch(`${stack.ingressUrl}/api/backfill/${id}`, { headers: bearer })
          ).json()) as {
            state: string;
          };
          if (progress.state === 'failed') throw new Error(`backfill failed: ${JSON.stringify(progress)}`);
          return progress.state === 'done' ? progress : undefined;
        },
        60_000,
        200,
      );
    };
    expect(await start()).toMatchObject({ state: 'done', read: 5, known: 2, queued: 3, skipped: 0 });
    const all = [...before, ...lost].map((m) => m.data.key.id);
    await waitForActivities(crm, all);
    await f.queues.waitUntilIdle();
    expectEachOnce(crm, all);
    const lostOnContact = crm
      .activities()
      .filter((a) => ['LOST-API-2', 'LOST-API-4'].includes(String(a.metadata.message_id)));
    expect(new Set(lostOnContact.map((a) => a.contact_id)).size).toBe(1);
    expect(crm.contacts().find((c) => c.id === lostOnContact[0]?.contact_id)?.phone).toBe('+5511944440001');

    expect(await start()).toMatchObject({ state: 'done', read: 5, known: 5, queued: 0 });
    await f.queues.waitUntilIdle();
    expectEachOnce(crm, all);
  });
});

describe('system: webhooks lost while the ingress is down, reconciled by the schedule', () => {
  const f = useSystemStack({
    label: 'system-reconcile-schedule',
    workers: 2,
    env: { RECONCILE_INTERVAL_MS: '1500', RECONCILE_WINDOW_MS: '3600000' },
  });

  it('re-reads the recent past on its own, one run at a time, and nothing arrives twice', async () => {
    const { stack } = f;
    const { crm, evolution } = f.doubles;
    const delivered = inbound('SCHED-0', '5511955550001', 300);
    evolution.storeMessage('sales-01', delivered.data);
    expect(await postEvolution(stack.ingressUrl, delivered)).toBe(202);

    stack.ingress.kill('SIGTERM');
    await stack.ingress.exited;
    const lost = [inbound('SCHED-1', '5511955550001', 200), inbound('SCHED-2', '5511955550002', 100)];
    for (const m of lost) {
      evolution.storeMessage('sales-01', m.data);
      expect(await postEvolution(stack.ingressUrl, m)).toBe('no-answer');
    }
    await stack.startIngress();

    const all = [delivered, ...lost].map((m) => m.data.key.id);
    await waitForActivities(crm, all);
    // Several more ticks with both workers running: still one activity each.
    const finds = () => evolution.requests.filter((r) => r.path === '/chat/findMessages/sales-01').length;
    const seen = finds();
    await waitFor('two more scheduled runs', () => finds() >= seen + 2 * 4, 30_000, 200);
    await f.queues.waitUntilIdle();
    expectEachOnce(crm, all);
  });
});
