import { createRedisConnection, createSystemQueues, eventsShardOf, loadConfig } from '@zaprelay/core';
import { deleteKeysUnder, mastersHoldingKeys, startRedisCluster, waitFor } from '@zaprelay/test-kit';
import { storedEventJob } from '../load/webhook-body.js';
import { type BenchContext, benchPrefix, startWorker } from './context.js';

/** Sharded events, same everywhere: the queues and workers differ only in where Redis is. */
const SHARDS = 3;
const WORKERS = 2;
const INSTANCES = 12;

export interface ClusterTargetResult {
  seconds: number;
  eventsPerSecond: number;
  /** Masters the run's keys lived on (1 for one Redis). */
  masters: number;
}

export interface ClusterResults {
  events: number;
  /** Instances the events come from, spread over the shards by the instance → shard hash. */
  instances: number;
  workers: number;
  concurrency: number;
  shards: number;
  single: ClusterTargetResult;
  cluster: ClusterTargetResult;
}

/**
 * Events throughput on one target: a backlog of stored events spread over
 * INSTANCES instances (so over every shard) waits in the paused shards;
 * WORKERS events-only worker processes (WORKER_QUEUES=events) drain it once
 * released. The clock runs from the release to the last events job done.
 */
async function drain(ctx: BenchContext, target: Record<string, string>, events: number): Promise<ClusterTargetResult> {
  const prefix = benchPrefix('cluster');
  // Ready only with a CRM key (ops-server.ts); these events-only workers never call the CRM.
  const env = { ...target, QUEUE_PREFIX: prefix, QUEUE_SHARDS: String(SHARDS), SUPER_CRM_API_KEY: 'bench-unused' };
  const config = loadConfig(env);
  const connection = createRedisConnection(config, { role: 'worker', name: 'bench-cluster' });
  const queues = createSystemQueues({ connection, config });
  try {
    for (const shard of queues.eventsShards) await shard.pause();
    const jobs = Array.from({ length: events }, (_, i) => {
      const instance = `bench-${i % INSTANCES}`;
      return { instance, id: `cluster-${i}`, data: { ...storedEventJob(`cluster-${i}`), instance } };
    });
    for (const shard of queues.eventsShards) {
      const mine = jobs.filter((j) => eventsShardOf(j.instance, SHARDS) === shard.name);
      for (let i = 0; i < mine.length; i += 500) {
        await shard.addBulk(
          mine.slice(i, i + 500).map((j) => ({ name: 'messages.upsert', data: j.data, opts: { jobId: j.id } })),
        );
      }
    }
    const workers = await Promise.all(
      Array.from({ length: WORKERS }, () => startWorker(ctx, prefix, { ...env, WORKER_QUEUES: 'events' })),
    );
    const done = async () => {
      const counts = await Promise.all(queues.eventsShards.map((q) => q.getJobCounts('completed', 'failed')));
      return counts.reduce((sum, c) => sum + (c.completed ?? 0) + (c.failed ?? 0), 0);
    };
    const started = Date.now();
    await Promise.all(queues.eventsShards.map((q) => q.resume()));
    await waitFor(`${events} events drained`, async () => (await done()) >= events, 5 * 60_000, 20);
    const seconds = (Date.now() - started) / 1000;
    await Promise.all(workers.map((w) => w.stop()));
    const masters = await mastersHoldingKeys(connection, prefix);
    return { seconds, eventsPerSecond: events / seconds, masters };
  } finally {
    await queues.close();
    await deleteKeysUnder(connection, prefix);
    connection.disconnect();
  }
}

/** The same sharded events backlog and workers on the bench's one Redis, then on a local 3-master cluster. */
export async function benchCluster(ctx: BenchContext): Promise<ClusterResults> {
  const events = ctx.settings.workerEvents;
  const concurrency = ctx.settings.workerConcurrency;
  ctx.log(`cluster 1/2: ${events} events, ${SHARDS} shards, ${WORKERS} events workers on one Redis`);
  const single = await drain(ctx, { REDIS_URL: ctx.redisUrl }, events);
  const cluster = await startRedisCluster(3);
  try {
    ctx.log(`cluster 2/2: the same on a 3-master Redis Cluster (${cluster.nodes})`);
    const onCluster = await drain(ctx, { REDIS_CLUSTER_NODES: cluster.nodes }, events);
    return { events, instances: INSTANCES, workers: WORKERS, concurrency, shards: SHARDS, single, cluster: onCluster };
  } finally {
    await cluster.stop();
  }
}
