import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisConnection } from '@zaprelay/core';
import { type LocalSentinelGroup, startRedisSentinelGroup, waitFor } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { activityCounts, duplicatedMessages, seedContacts, waitForActivities } from '../support/crm-expectations.js';
import { type Doubles, startDoubles } from '../support/doubles.js';
import { openStackQueues, type StackQueues } from '../support/stack-queues.js';
import { STACK_SECRETS } from '../support/system-env.js';
import { isRunning, type SystemStack, startSystemStack } from '../support/system-stack.js';
import { isAcknowledged, startWebhookStream } from '../support/webhooks.js';

const agentSend = { instance: 'sales-01', to: '+5511960000009', text: 'Seu pedido saiu para entrega 🚚' };

describe('fault: the Sentinel master is SIGKILLed under a stream of webhooks (REDIS_WAIT_REPLICAS=1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zaprelay-stack-sentinel-'));
  let group: LocalSentinelGroup;
  let doubles: Doubles;
  let stack: SystemStack;
  let queues: StackQueues;

  beforeAll(async () => {
    // Two replicas: after the failover the new master still has one, so WAIT 1 can succeed again.
    group = await startRedisSentinelGroup({ dir, replicas: 2 });
    doubles = await startDoubles();
    stack = await startSystemStack({
      // Only the password and db would be read from it: the Sentinels say where the master is.
      redisUrl: group.master.url,
      ...doubles,
      workers: 2,
      label: 'fault-sentinel',
      env: {
        REDIS_SENTINELS: group.sentinelsEnv,
        REDIS_SENTINEL_NAME: group.name,
        REDIS_WAIT_REPLICAS: '1',
        REDIS_WAIT_TIMEOUT_MS: '300',
        // A job whose completion died with the master is recovered as stalled, quickly.
        WORKER_LOCK_DURATION_MS: '2000',
        WORKER_STALLED_INTERVAL_MS: '1000',
        // A chat whose head lost its wake-up in the failover, and that gets no later message, waits out this
        // bound (15 min by default) before going on: a known gap, kept short here so the test sees the events land.
        CRM_CHAT_ORDER_MAX_WAIT_MS: '5000',
      },
    });
    queues = openStackQueues(stack.env);
  }, 90_000);
  afterAll(async () => {
    await queues?.close();
    await stack?.close();
    await doubles?.close();
    await group?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every 202 reaches the CRM exactly once; ingress and workers follow the new master without a restart', async () => {
    onTestFailed(() => console.log(stack.outputTail()));
    const { crm } = doubles;
    const phones = ['5511960000001', '5511960000002', '5511960000003'];
    seedContacts(crm, phones, 'Failover');
    const processes = [stack.ingress, ...stack.workers];

    const stream = startWebhookStream(stack.ingressUrl, { phones, label: 'FAILOVER', pauseMs: 5 });
    await waitFor('acknowledged webhooks before the failover', () => stream.acknowledged().length >= 30);
    // An agent's send with an Idempotency-Key: its claim is replicated before the 202, like an event.
    const send = () =>
      fetch(`${stack.ingressUrl}/api/messages`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${STACK_SECRETS.API_TOKEN}`,
          'idempotency-key': 'failover-order-1',
        },
        body: JSON.stringify(agentSend),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { id?: string } }));
    const firstSend = await send();
    expect(firstSend.status).toBe(202);

    // The worst moment: the replication link is down (a partition) and the master keeps taking writes, then
    // its host dies. The replicas cannot resync (PSYNC denied), so whatever only the master held dies with it.
    await group.partitionReplicas();
    const cutAt = stream.records.length;
    await waitFor('webhooks posted while no replica follows', () => stream.records.length >= cutAt + 10);
    const oldMaster = group.master.port;
    await group.master.kill('SIGKILL');
    const killedAt = stream.acknowledged().length;
    const newMaster = await group.waitForFailover(oldMaster);
    expect(newMaster).not.toBe(oldMaster);
    // The same ingress acknowledges again: it found the new master (and its replica) on its own.
    await waitFor(
      'acknowledged webhooks after the failover',
      () => stream.acknowledged().length >= killedAt + 30,
      30_000,
    );
    await stream.stop();

    // Nothing but 2xx and 503: no 500, no hang, whatever moment the master died.
    expect(stream.records.filter((r) => !isAcknowledged(r.outcome) && r.outcome !== 503)).toEqual([]);
    expect(stream.count(503)).toBeGreaterThan(0);

    // Every acknowledged event reaches the CRM once, processed by the workers started before the failover.
    const acknowledged = stream.acknowledged();
    await waitForActivities(crm, acknowledged, 90_000);
    await queues.waitUntilIdle(60_000);
    const counts = activityCounts(crm);
    expect(acknowledged.filter((id) => counts.get(id) !== 1)).toEqual([]);
    // A 503'd event may still have been stored (and then delivered): never twice, though.
    expect(duplicatedMessages(crm)).toEqual([]);
    expect(processes.every(isRunning)).toBe(true);

    // The retry after the failover is the same send (the new master has its claim): one WhatsApp message.
    await waitFor('a 202 for the retried send', async () => (await send()).status === 202, 10_000, 100);
    expect(await send()).toEqual(firstSend);
    await waitFor('the send', () => doubles.evolution.sent.some((m) => m.text === agentSend.text), 30_000, 100);
    await new Promise((r) => setTimeout(r, 1000));
    expect(doubles.evolution.sent.filter((m) => m.text === agentSend.text)).toHaveLength(1);

    // Readiness reads the eviction policy of the master Sentinel names now: an evicting one is refused.
    const ready = async () => Promise.all(processes.map(async (p) => (await fetch(stack.readyUrl(p))).status));
    expect(await ready()).toEqual(processes.map(() => 200));
    const admin = createRedisConnection(`redis://127.0.0.1:${newMaster}`, { role: 'worker', name: 'failover-admin' });
    try {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      // Each process re-reads the policy at most every 10 s (15 s was too little once on a loaded two-core machine).
      await waitFor(
        'every process refuses the evicting master',
        async () => (await ready()).every((s) => s === 503),
        30_000,
        250,
      );
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      await waitFor('every process ready again', async () => (await ready()).every((s) => s === 200), 30_000, 250);
    } finally {
      admin.disconnect();
    }
  });
});
