import { monitorKeys, QUEUES } from '@zaprelay/core';
import { waitFor } from '@zaprelay/test-kit';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitorStore } from '../src/monitor/monitor-store.js';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

describe('instance monitor against the Evolution double', () => {
  const received: Array<{ subject: string; to: string }> = [];
  const receiver = Fastify();
  receiver.post('/alerts', async (req) => {
    received.push(req.body as { subject: string; to: string });
    return { ok: true };
  });
  let harness: RuntimeHarness;

  beforeAll(async () => {
    const alertUrl = `${await receiver.listen({ port: 0, host: '127.0.0.1' })}/alerts`;
    harness = await createRuntimeHarness({
      EVOLUTION_MONITORING_INTERVAL_MS: '1000',
      // Room for a normal of 5 checks before two slow ones (two in a row make degraded).
      EVOLUTION_MONITORING_MAX_HISTORY: '8',
      EVOLUTION_INSTANCES: 'shop,slow',
      ALERT_WEBHOOK_URL: alertUrl,
      ALERT_QUIET_PERIOD_MS: '60000',
    });
    harness.evolution.addInstance('shop', 'open');
    harness.evolution.addInstance('slow', 'open');
  });
  afterAll(async () => {
    await harness.close();
    await receiver.close();
  });

  it('records capped history, alerts once on close, flags a slow response, and ticks once with two workers', async () => {
    const a = await harness.startWorker();
    await harness.startWorker();
    const store = createMonitorStore(a.connection, harness.config.QUEUE_PREFIX, 8);

    // A normal to compare with, then the history must stay capped.
    await waitFor('10 checks of shop', async () => (await monitorTicks()) >= 10, 20_000, 200);
    expect(await store.history('instance:shop')).toHaveLength(8);
    expect(await store.instanceStatus('shop')).toMatchObject({ state: 'open', status: 'healthy' });

    harness.evolution.setState('shop', 'close');
    harness.evolution.setResponseDelay(600, 'slow');
    await waitFor('shop down', async () => (await store.instanceStatus('shop'))?.status === 'down', 10_000);
    await waitFor('slow degraded', async () => (await store.instanceStatus('slow'))?.status === 'degraded', 10_000);
    await waitFor('alerts delivered', () => received.length >= 2, 10_000);
    const ticksAtAlert = await monitorTicks();
    await waitFor('two more ticks', async () => (await monitorTicks()) >= ticksAtAlert + 2, 10_000);

    expect(received.filter((r) => r.subject === 'instance:shop')).toEqual([
      expect.objectContaining({ subject: 'instance:shop', to: 'down' }),
    ]);
    const slow = (await store.alerts()).filter((al) => al.subject === 'instance:slow' && al.to === 'degraded');
    expect(slow[0]?.reason).toMatch(/response time \d+ ms far above normal/);

    // One schedule however many workers: scheduled times are one interval apart, never doubled.
    const schedulers = await a.runtime.queues[QUEUES.monitor].getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    const times = (await a.runtime.queues[QUEUES.monitor].getCompleted(0, 100))
      .map((job) => Number(String(job.id).split(':').pop()))
      .sort((x, y) => x - y);
    for (let i = 1; i < times.length; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(1000);

    async function monitorTicks() {
      return (await a.runtime.queues[QUEUES.monitor].getJobCounts('completed')).completed ?? 0;
    }
    expect(await a.connection.exists(monitorKeys(harness.config.QUEUE_PREFIX).alerts)).toBe(1);
  }, 60_000);
});
