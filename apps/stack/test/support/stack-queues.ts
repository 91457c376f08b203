import { connectRedis, createSystemQueues, loadConfig, QUEUES } from '@zaprelay/core';
import { waitFor } from '@zaprelay/test-kit';

const UNFINISHED = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/**
 * The stack's events (every shard) and CRM queues seen from the test (same
 * Redis or cluster, same prefix), to wait until nothing is left to do and to
 * look into the failed set.
 */
export function openStackQueues(env: Record<string, string>) {
  const config = loadConfig(env);
  const connection = connectRedis(config, { role: 'producer', name: 'stack-test-inspector' });
  connection.on('error', () => {});
  const system = createSystemQueues({ connection, config });
  const events = system.byName[QUEUES.events];
  const crm = system.byName[QUEUES.crm];
  const watched = [...system.eventsShards, crm];
  // Errors while Redis is down are expected here; the polls that need Redis retry.
  for (const queue of system.all) queue.on('error', () => {});

  async function unfinished(): Promise<number> {
    let total = 0;
    for (const queue of watched) {
      const counts = await queue.getJobCounts(...UNFINISHED);
      total += Object.values(counts).reduce((sum, n) => sum + n, 0);
    }
    return total;
  }

  return {
    /** Events shard 0 (the only one when QUEUE_SHARDS=1). */
    events,
    eventsShards: system.eventsShards,
    crm,
    connection,
    unfinished,
    /** Waits until neither queue holds a job still to be done (completed or failed only). */
    async waitUntilIdle(timeoutMs = 60_000): Promise<void> {
      await waitFor('the events and CRM queues to be idle', async () => (await unfinished()) === 0, timeoutMs, 100);
    },
    async close(): Promise<void> {
      await system.close();
      connection.disconnect();
    },
  };
}

export type StackQueues = ReturnType<typeof openStackQueues>;
