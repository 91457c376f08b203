import { waitFor } from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import { activityRequestsByKey, expectEachOnce, seedContacts, waitForActivities } from '../support/crm-expectations.js';
import { useSystemStack } from '../support/use-system-stack.js';
import { isAcknowledged, postEvolutionText, startWebhookStream } from '../support/webhooks.js';

describe('fault: SIGTERM to the ingress and every worker during load, then a restart', () => {
  const f = useSystemStack({
    workers: 2,
    label: 'fault-sigterm',
    // Were a job abandoned instead of finished, it would come back as stalled within seconds, and show.
    env: { WORKER_LOCK_DURATION_MS: '5000', WORKER_STALLED_INTERVAL_MS: '1000' },
  });

  it('each exits 0 after finishing its work in flight; nothing acknowledged is lost or done twice', async () => {
    const { stack, queues } = f;
    const { crm } = f.doubles;
    const phones = ['5511980000001', '5511980000002', '5511980000003', '5511980000004'];
    seedContacts(crm, phones, 'Sigterm');
    // Slow enough that the workers hold requests in flight when the signal comes.
    crm.injectFault({ type: 'delay', ms: 400, method: 'POST', path: '/contacts/:id/activities', times: 1_000_000 });
    const inFlight = () =>
      crm.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/activities') && r.status === undefined);

    const stream = startWebhookStream(stack.ingressUrl, { phones, label: 'SIGTERM', pauseMs: 40 });
    await waitFor('load: acknowledged webhooks and CRM requests in flight', () => {
      return stream.acknowledged().length >= 10 && inFlight().length >= 2;
    });

    const first = [stack.ingress, ...stack.workers];
    const cutAt = new Set(inFlight().map((r) => r.idempotencyKey));
    for (const proc of first) proc.kill('SIGTERM');
    expect(await Promise.all(first.map((p) => p.exited))).toEqual(first.map(() => 0));

    await Promise.all([stack.startIngress(), stack.startWorker(), stack.startWorker()]);
    const resumedAt = stream.acknowledged().length;
    await waitFor(
      'acknowledged webhooks after the restart',
      () => stream.acknowledged().length >= resumedAt + 10,
      30_000,
    );
    await stream.stop();

    // While the ingress was stopping (503), gone (no answer) or starting (503 until its Redis connection is up),
    // the gateway got no 2xx and redelivers; none of those is lost either.
    const refused = stream.records.filter((r) => !isAcknowledged(r.outcome));
    expect(refused.every((r) => r.outcome === 'no-answer' || r.outcome === 503)).toBe(true);
    expect(refused.length).toBeGreaterThan(0);
    await waitForActivities(crm, stream.acknowledged());
    for (const r of refused) {
      expect(isAcknowledged(await postEvolutionText(stack.ingressUrl, r)), r.id).toBe(true);
    }
    const all = stream.records.map((r) => r.id);
    await waitForActivities(crm, all);
    await queues.waitUntilIdle();

    expectEachOnce(crm, all);
    // The requests in flight at the signal were answered to the old workers, which finished their jobs:
    // no activity was asked for twice (a job abandoned by a worker would be redone after a restart).
    const requests = activityRequestsByKey(crm);
    expect(cutAt.size).toBeGreaterThanOrEqual(2);
    expect([...requests].filter(([, n]) => n > 1)).toEqual([]);
    expect(requests.size).toBe(all.length);
  });
});
