import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalRedis, startRedisServer, waitFor } from '@zaprelay/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { type OutboundHarness, startOutboundHarness } from './outbound-harness.js';

describe('outbound: REDIS_WAIT_REPLICAS=1 while the replica is missing (a failover, a resync)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zaprelay-replicas-'));
  const servers: LocalRedis[] = [];
  let h: OutboundHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
    for (const s of servers.splice(0)) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the send waits for the replica without using its attempts, and goes out once, when the replica is back', async () => {
    // A master of its own: a replica joining the run's shared Redis would change other tests' WAITs.
    const master = await startRedisServer({ dir: join(dir, 'master') });
    servers.push(master);
    h = await startOutboundHarness({
      env: {
        REDIS_URL: master.url,
        REDIS_WAIT_REPLICAS: '1',
        REDIS_WAIT_TIMEOUT_MS: '100',
        // Two attempts 50 ms apart: spent on the missing replica, the send would fail for good within a second.
        EVOLUTION_RETRY_MAX_ATTEMPTS: '2',
      },
    });
    const harness = h;
    const job = await harness.send({ origin: 'supercrm', contactId: 'ct_1' });

    await waitFor('the send held back', async () => (await (await harness.reload(job)).isDelayed()) === true);
    await new Promise((r) => setTimeout(r, 2500)); // past both attempts' backoff, a recheck or two
    const held = await harness.reload(job);
    expect(await held.getState()).not.toBe('failed');
    expect(held.attemptsMade).toBe(0);
    expect(harness.evolution.sent).toHaveLength(0);
    expect(await harness.crmQueue.count()).toBe(0); // no `[not sent]` activity for the agent

    servers.push(
      await startRedisServer({
        dir: join(dir, 'replica'),
        settings: ['--replicaof', '127.0.0.1', String(master.port)],
      }),
    );
    await expect(harness.finished(job)).resolves.toMatchObject({ gateway: 'evolution' });
    expect(harness.evolution.sent).toHaveLength(1);
    expect((await harness.reload(job)).attemptsMade).toBe(1);
  }, 30_000);
});
