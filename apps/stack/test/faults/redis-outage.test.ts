import { waitFor } from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import { expectEachOnce, waitForActivities } from '../support/crm-expectations.js';
import { useOwnRedis } from '../support/own-redis.js';
import { isRunning } from '../support/system-stack.js';
import { useSystemStack } from '../support/use-system-stack.js';
import { isAcknowledged, postEvolutionText, startWebhookStream } from '../support/webhooks.js';

describe('fault: Redis stops under a stream of webhooks and starts again', () => {
  const redis = useOwnRedis('stack-outage');
  const f = useSystemStack({
    redisUrl: () => redis.url,
    label: 'fault-redis-outage',
    // A job whose completion Redis never heard of is recovered as stalled, quickly.
    env: { WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' },
  });

  it('answers 503 while Redis is down; every acknowledged event reaches the CRM once; no process restarts', async () => {
    const { stack, queues } = f;
    const { crm } = f.doubles;
    const phones = ['5511970000001', '5511970000002', '5511970000003'];
    crm.seedContact({ name: 'Outage Known', phone: `+${phones[0]}` });
    const processes = [stack.ingress, ...stack.workers];
    const pids = processes.map((p) => p.child.pid);

    const stream = startWebhookStream(stack.ingressUrl, { phones, label: 'OUTAGE' });
    await waitFor('acknowledged webhooks before the outage', () => stream.acknowledged().length >= 10);

    await redis.stop();
    const downFrom = stream.records.length;
    await waitFor('the ingress to refuse webhooks with 503', () => stream.count(503) >= 5);
    // Held until every process has noticed: each reports itself not ready.
    const readiness = () => Promise.all(processes.map(async (p) => (await fetch(stack.readyUrl(p))).status));
    await waitFor('every process to report Redis down', async () => (await readiness()).every((s) => s === 503));
    const downTo = stream.records.length;
    await redis.restart();
    const upAt = stream.acknowledged().length;
    await waitFor('acknowledged webhooks after the restart', () => stream.acknowledged().length >= upAt + 10, 30_000);
    await stream.stop();

    // While Redis was down the ingress said so at once, for every webhook: 503, never a 2xx, a 500 or a hang.
    // (The posts in flight when it stopped may have gone either way.)
    expect(stream.records.slice(downFrom + 1, downTo).map((r) => r.outcome)).toEqual(
      stream.records.slice(downFrom + 1, downTo).map(() => 503),
    );
    expect(stream.records.every((r) => isAcknowledged(r.outcome) || r.outcome === 503)).toBe(true);

    // Every acknowledged event reaches the CRM, exactly once.
    const acknowledged = stream.acknowledged();
    await waitForActivities(crm, acknowledged);
    // The gateway redelivers what got a 503; then nothing is missing either.
    const refused = stream.records.filter((r) => !isAcknowledged(r.outcome));
    for (const r of refused) expect(isAcknowledged(await postEvolutionText(stack.ingressUrl, r)), r.id).toBe(true);
    const all = stream.records.map((r) => r.id);
    await waitForActivities(crm, all);
    await queues.waitUntilIdle();
    expectEachOnce(crm, all);

    // Nobody had to restart anything: the same processes, still up, recovered by themselves.
    expect(processes.every(isRunning)).toBe(true);
    expect([stack.ingress, ...stack.workers].map((p) => p.child.pid)).toEqual(pids);
    expect(await readiness()).toEqual(processes.map(() => 200));
  });
});
