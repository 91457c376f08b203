import { describe, expect, it } from 'vitest';
import {
  ALL_QUEUES,
  ConfigError,
  eventsShardNames,
  eventsShardOf,
  loadConfig,
  logicalQueueOf,
  queuePrefix,
} from '../src/index.js';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('cluster, shard and role settings', () => {
  it('reads REDIS_CLUSTER_NODES, QUEUE_SHARDS and WORKER_QUEUES with their defaults', () => {
    const defaults = loadConfig({});
    expect(defaults.REDIS_CLUSTER_NODES).toBeUndefined();
    expect(defaults.QUEUE_SHARDS).toBe(1);
    expect(defaults.WORKER_QUEUES).toEqual(ALL_QUEUES);
    const set = loadConfig({
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001',
      QUEUE_SHARDS: '4',
      WORKER_QUEUES: 'events, crm',
      QUEUE_PREFIX: '{zr}',
    });
    expect(set.REDIS_CLUSTER_NODES).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    expect(set).toMatchObject({ QUEUE_SHARDS: 4, WORKER_QUEUES: ['events', 'crm'], QUEUE_PREFIX: '{zr}' });
  });

  it('names an unknown worker queue, a bad node list and a bad prefix', () => {
    expect(problems({ WORKER_QUEUES: 'events,crn' })).toEqual([
      'WORKER_QUEUES: unknown queue "crn" (known: events, crm, outbound, monitor, alerts, contact-sync, backfill) (got "events,crn")',
    ]);
    expect(problems({ REDIS_CLUSTER_NODES: 'redis-a' })[0]).toMatch(/^REDIS_CLUSTER_NODES: must be a comma-separated/);
    expect(problems({ QUEUE_PREFIX: 'a{b}{c}' })[0]).toMatch(/^QUEUE_PREFIX: /);
    expect(problems({ QUEUE_SHARDS: '0' })[0]).toMatch(/^QUEUE_SHARDS: must be at least 1/);
  });

  it('maps an instance to one shard, by its lower-cased name, and spreads instances over the shards', () => {
    expect(eventsShardNames(3)).toEqual(['events', 'events-1', 'events-2']);
    expect(eventsShardOf('Sales-01', 3)).toBe(eventsShardOf('sales-01', 3));
    expect(eventsShardOf('anything', 1)).toBe('events');
    const used = new Set(Array.from({ length: 60 }, (_, i) => eventsShardOf(`instance-${i}`, 3)));
    expect(used).toEqual(new Set(eventsShardNames(3)));
    expect(logicalQueueOf('events-2')).toBe('events');
    expect(logicalQueueOf('crm')).toBe('crm');
    expect(logicalQueueOf('nope')).toBeUndefined();
  });

  it('tags each queue on a cluster (contact-sync with crm, its flow children), and leaves one Redis as it was', () => {
    const single = loadConfig({ QUEUE_PREFIX: 'zr' });
    expect(queuePrefix(single, 'events-1')).toBe('zr');
    const cluster = loadConfig({ QUEUE_PREFIX: 'zr', REDIS_CLUSTER_NODES: '127.0.0.1:7000' });
    expect(queuePrefix(cluster, 'events')).toBe('zr:{events}');
    expect(queuePrefix(cluster, 'events-2')).toBe('zr:{events-2}');
    expect(queuePrefix(cluster, 'crm')).toBe('zr:{crm}');
    expect(queuePrefix(cluster, 'contact-sync')).toBe('zr:{crm}');
    expect(queuePrefix(cluster, 'outbound')).toBe('zr:{outbound}');
  });
});
