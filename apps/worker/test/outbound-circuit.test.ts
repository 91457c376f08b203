import { setTimeout as sleep } from 'node:timers/promises';
import { createMessageTrace, type OutboundJob, QUEUES } from '@zaprelay/core';
import { waitFor } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

describe("Evolution's sends behind a breaker (2 attempts per send, opens after 2 failures)", () => {
  let harness: RuntimeHarness;
  beforeAll(async () => {
    harness = await createRuntimeHarness(
      {
        EVOLUTION_MONITORING_ENABLED: 'false',
        EVOLUTION_INSTANCES: 'sales-01',
        EVOLUTION_RETRY_MAX_ATTEMPTS: '2',
        EVOLUTION_RETRY_DELAY_MS: '50',
        EVOLUTION_RETRY_MAX_DELAY_MS: '100',
        EVOLUTION_TIMEOUT_MS: '1000',
        CIRCUIT_FAILURE_THRESHOLD: '2',
        CIRCUIT_OPEN_MS: '300',
      },
      { max: 1000, windowMs: 1000 },
    );
    harness.evolution.addInstance('sales-01', 'open');
  });
  afterAll(() => harness.close());

  it('Evolution down for a while: no send fails, few reach it, each goes out once it is back, none told as not sent', async () => {
    const { runtime, connection } = await harness.startWorker();
    const outbound = runtime.queues[QUEUES.outbound];
    harness.evolution.injectFault({ kind: 'status', status: 503 }, { count: 1_000_000, route: '/message/sendText' });
    const sends: OutboundJob[] = Array.from({ length: 12 }, (_, i) => ({
      instance: 'sales-01',
      to: `+55119800000${String(i).padStart(2, '0')}`,
      text: `mensagem ${i}`,
      // An agent's sends: one the breaker held on its last attempt must not be told to the agent as not sent.
      origin: 'supercrm',
      requestedAt: Date.now(),
    }));
    for (const [i, send] of sends.entries()) await outbound.add('send', send, { jobId: `circuit-send-${i}` });

    await sleep(2000);
    const refused = harness.evolution.requests.filter((r) => r.path.startsWith('/message/sendText')).length;
    harness.evolution.clearFaults();
    await waitFor('every send out', () => harness.evolution.sent.length === sends.length, 20_000);
    await waitFor(
      'the outbound queue drained',
      async () => (await outbound.getJobCounts('completed')).completed === sends.length,
    );

    expect(await outbound.getFailedCount()).toBe(0);
    expect(harness.evolution.sent).toHaveLength(sends.length);
    // Without the breaker: 12 sends × 2 attempts, all failed. With it: 2 to open it, those in flight, the probes.
    expect(refused).toBeLessThanOrEqual(2 + 10 + Math.ceil(2000 / 300));

    // The trace: a send-attempt per request that left, the turns the breaker held back as waits.
    const trace = createMessageTrace(connection, harness.config.QUEUE_PREFIX, 60);
    const entries = (await Promise.all(sends.map((_, i) => trace.read(`circuit-send-${i}`)))).flat();
    const sendTexts = harness.evolution.requests.filter((r) => r.path.startsWith('/message/sendText')).length;
    expect(entries.filter((e) => e.stage === 'send-attempt')).toHaveLength(sendTexts);
    const waits = entries.filter((e) => e.stage === 'waiting');
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((e) => e.waitReason === 'breaker-open' && e.api === 'evolution')).toBe(true);
    const filed = () => harness.crm.activities().map((a) => a.description);
    await waitFor(
      'every send filed in the CRM',
      () => filed().filter((d) => d.startsWith('mensagem')).length === 12,
      30_000,
    );
    expect(filed().filter((d) => d.startsWith('[not sent]'))).toEqual([]);
  });
});
