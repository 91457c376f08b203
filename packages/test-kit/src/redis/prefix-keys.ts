import { Cluster, type Redis } from 'ioredis';

async function scanNode(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** Every key under `prefix:` (SCAN, so a large Redis is not blocked); on a cluster, of every master. */
export async function keysUnder(redis: Redis | Cluster, prefix: string): Promise<string[]> {
  if (!(redis instanceof Cluster)) return scanNode(redis, prefix);
  const perMaster = await Promise.all(redis.nodes('master').map((node) => scanNode(node, prefix)));
  return perMaster.flat();
}

/** Deletes what a test or bench created under its own unique prefix, and nothing else; how many keys went. */
export async function deleteKeysUnder(redis: Redis | Cluster, prefix: string): Promise<number> {
  const keys = await keysUnder(redis, prefix);
  // One key per command: on a cluster the keys live in many slots.
  const unlink =
    redis instanceof Cluster
      ? (k: string[]) => Promise.all(k.map((key) => redis.unlink(key)))
      : (k: string[]) => redis.unlink(...k);
  for (let i = 0; i < keys.length; i += 500) await unlink(keys.slice(i, i + 500));
  return keys.length;
}

/** How many cluster masters hold keys under `prefix:` (1 for a single Redis holding any). */
export async function mastersHoldingKeys(redis: Redis | Cluster, prefix: string): Promise<number> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const perNode = await Promise.all(nodes.map((node) => scanNode(node, prefix)));
  return perNode.filter((keys) => keys.length > 0).length;
}
