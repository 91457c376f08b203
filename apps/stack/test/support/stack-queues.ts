import { connectRedis, createQueue, loadConfig, QUEUES } from '@zaprelay/core';
import { waitFor } from '@zaprelay/test-kit';

const UNFINISHED = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/**
 * The stack's events and CRM queues seen from the test (same Redis, same
 * prefix), to wait until nothing is left to do and to look into the failed set.
 */
export function openStackQueues(env: Record<string, string>) {
  const config = loadConfig(env);
  const connection = connectRedis(config, { role: 'producer', name: 'stack-test-inspector' });
  connection.on('error', () => {});
  const events = createQueue(QUEUES.events, { connection, config });
  const crm = createQueue(QUEUES.crm, { connection, config });
  // Errors while Redis is down are expected here; the polls that need Redis retry.
  for (const queue of [events, crm]) queue.on('error', () => {});

  async function unfinished(): Promise<number> {
    let total = 0;
    for (const queue of [events, crm]) {
      const counts = await queue.getJobCounts(...UNFINISHED);
      total += Object.values(counts).reduce((sum, n) => sum + n, 0);
    }
    return total;
  }

  return {
    events,
    crm,
    unfinished,
    /** Waits until neither queue holds a job still to be done (completed or failed only). */
    async waitUntilIdle(timeoutMs = 60_000): Promise<void> {
      await waitFor('the events and CRM queues to be idle', async () => (await unfinished()) === 0, timeoutMs, 100);
    },
    async close(): Promise<void> {
      await Promise.all([events.close(), crm.close()]);
      connection.disconnect();
    },
  };
}

export type StackQueues = ReturnType<typeof openStackQueues>;
