import { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';

export interface ClusterNode {
  host: string;
  port: number;
}

/**
 * An ioredis Cluster client over the seed nodes: it learns the slot map from
 * them and follows MOVED/ASK redirections and failovers. `redisOptions` are
 * the ones a single connection of the same role gets (a worker's
 * `maxRetriesPerRequest: null`, a producer's fail-fast timeouts).
 */
export function createClusterConnection(
  nodes: ClusterNode[],
  redisOptions: RedisOptions,
  reconnectDelay: (times: number) => number,
): Cluster {
  const options: ClusterOptions = {
    redisOptions,
    enableAutoPipelining: redisOptions.enableAutoPipelining ?? false,
    clusterRetryStrategy: reconnectDelay,
    enableReadyCheck: true,
    // A producer fails fast while the cluster is down (503); a worker's commands wait for it.
    enableOfflineQueue: redisOptions.enableOfflineQueue ?? true,
    // A master that failed over is replaced within seconds: retry the command meanwhile instead of failing it.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 500,
    retryDelayOnTryAgain: 200,
    slotsRefreshTimeout: 2000,
  };
  return new Cluster(nodes, options);
}
