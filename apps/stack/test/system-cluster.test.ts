import { eventsShardOf } from '@zaprelay/core';
import { evolutionText, mastersHoldingKeys } from '@zaprelay/test-kit';
import { useRedisCluster } from '@zaprelay/test-kit/vitest';
import { describe, expect, it } from 'vitest';
import { activityCounts, expectEachOnce, seedContacts, waitForActivities } from './support/crm-expectations.js';
import { STACK_SECRETS } from './support/system-env.js';
import { useSystemStack } from './support/use-system-stack.js';
import { postEvolution } from './support/webhooks.js';

/** Our CRM limit here: small, so the burst below is really held back by it. */
const LIMIT = { max: 10, windowMs: 1000 };
/** One instance per events shard at least (checked below), and two that share one. */
const INSTANCES = ['sales-01', 'Loja-Centro', 'loja-norte', 'suporte'];
const SHARDS = 3;

describe('system: the message flow on a 3-master Redis Cluster with QUEUE_SHARDS=3', () => {
  const cluster = useRedisCluster(3);
  const f = useSystemStack({
    label: 'system-cluster',
    workers: 2,
    env: {
      QUEUE_SHARDS: String(SHARDS),
      SUPER_CRM_RATE_LIMIT_MAX: String(LIMIT.max),
      SUPER_CRM_RATE_LIMIT_DURATION_MS: String(LIMIT.windowMs),
    },
    lateEnv: () => ({ REDIS_CLUSTER_NODES: cluster.nodes }),
    crmLimit: LIMIT,
  });

  it('every message once on the right contact, per-instance shards, the CRM limit held, keys on several masters', async () => {
    const { stack, queues } = f;
    const { crm } = f.doubles;
    expect(new Set(INSTANCES.map((i) => eventsShardOf(i, SHARDS))).size).toBe(SHARDS);
    const known = ['5511960000001', '5511960000002'];
    seedContacts(crm, known, 'Cluster Known');
    const phones = [...known, '5511960000003', '5511960000004'];

    const messages = INSTANCES.flatMap((instance, i) =>
      phones.map((phone, p) => ({
        id: `CLUSTER-${i}-${p}`,
        phone,
        body: evolutionText({ id: `CLUSTER-${i}-${p}`, phone, instance, pushName: `Pessoa ${p}` }),
      })),
    );
    const answers = await Promise.all(messages.map((m) => postEvolution(stack.ingressUrl, m.body)));
    expect(answers).toEqual(messages.map(() => 202));
    // Redeliveries are recognised on the cluster too (dedupe markers are single keys).
    const again = await Promise.all(messages.slice(0, 4).map((m) => postEvolution(stack.ingressUrl, m.body)));
    expect(again).toEqual([200, 200, 200, 200]);

    const ids = messages.map((m) => m.id);
    await waitForActivities(crm, ids, 90_000);
    await queues.waitUntilIdle(60_000);
    expectEachOnce(crm, ids);
    expect([...activityCounts(crm).values()].every((n) => n === 1)).toBe(true);

    // One contact per phone, every activity on its phone's contact.
    const contactOf = new Map(crm.contacts().map((c) => [c.phone, c.id]));
    expect([...contactOf.keys()].sort()).toEqual(phones.map((p) => `+${p}`).sort());
    for (const m of messages) {
      const activity = crm.activities().find((a) => a.metadata.message_id === m.id);
      expect(activity?.contact_id, m.id).toBe(contactOf.get(`+${m.phone}`));
    }

    // Each instance's events went to its own shard, and every shard was used.
    for (const shard of queues.eventsShards) {
      const done = await shard.getCompleted(0, 1000);
      const instances = new Set(done.map((job) => (job.data as { instance: string }).instance));
      expect(
        [...instances].every((i) => eventsShardOf(i, SHARDS) === shard.name),
        shard.name,
      ).toBe(true);
      expect(instances.size, shard.name).toBeGreaterThan(0);
    }

    // The CRM window: never more than our limit in any window, across both workers.
    expect(crm.maxRequestsInAnyWindow()).toBeLessThanOrEqual(LIMIT.max);
    expect(crm.requests().filter((r) => r.status === 429)).toEqual([]);

    // The keys really are spread over the cluster.
    expect(await mastersHoldingKeys(queues.connection, stack.queuePrefix)).toBeGreaterThan(1);

    // /api/status shows the shards as one events queue, with each shard's detail.
    const response = await fetch(`${stack.ingressUrl}/api/status`, {
      headers: { authorization: `Bearer ${STACK_SECRETS.API_TOKEN}` },
    });
    expect(response.status).toBe(200);
    const status = (await response.json()) as {
      queues: Array<{ name: string; counts: { completed: number }; shards?: Array<{ name: string }> }>;
    };
    const events = status.queues.find((q) => q.name === 'events');
    expect(events?.shards?.map((s) => s.name)).toEqual(['events', 'events-1', 'events-2']);
    expect(events?.counts.completed).toBe(messages.length);
    expect(status.queues.filter((q) => q.name.startsWith('events'))).toHaveLength(1);
  });
});
