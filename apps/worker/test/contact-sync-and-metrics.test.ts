import { createLogger, QUEUES } from '@zaprelay/core';
import { parsePrometheusText, waitFor } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpsServer } from '../src/ops-server.js';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

const CONTACTS = 36;

describe('contact sync through the CRM limit, and worker metrics', () => {
  let harness: RuntimeHarness;
  beforeAll(async () => {
    harness = await createRuntimeHarness({ EVOLUTION_MONITORING_ENABLED: 'false' }, { max: 30, windowMs: 1000 });
    harness.evolution.addInstance('sales-01', 'open');
    harness.evolution.setContacts('sales-01', [
      ...Array.from({ length: CONTACTS }, (_, i) => ({
        remoteJid: `55119876${String(50000 + i)}@s.whatsapp.net`,
        pushName: `Contact ${i}`,
      })),
      { remoteJid: '120363025555555555@g.us', pushName: 'A group' },
    ]);
  });
  afterAll(() => harness.close());

  it('upserts every contact as a child of one parent job, with progress while it runs, under the limit', async () => {
    const { runtime, connection, registry } = await harness.startWorker();
    const syncQueue = runtime.queues[QUEUES.contactSync];
    const job = await syncQueue.add('contact-sync', { instance: 'sales-01', origin: 'api', requestedAt: Date.now() });
    const seen: number[] = [];
    await waitFor(
      'sync to complete',
      async () => {
        const fresh = await syncQueue.getJob(job.id as string);
        const counts = await fresh?.getDependenciesCount({ processed: true });
        seen.push(counts?.processed ?? 0);
        return (await fresh?.getState()) === 'completed';
      },
      30_000,
      100,
    );
    const done = await syncQueue.getJob(job.id as string);
    expect(done?.returnvalue).toEqual({
      instance: 'sales-01',
      total: CONTACTS,
      synced: CONTACTS,
      failed: 0,
      skipped: 1,
    });
    expect(seen.some((n) => n > 0 && n < CONTACTS)).toBe(true);
    expect(harness.crm.contacts()).toHaveLength(CONTACTS);
    expect(harness.crm.contacts().map((c) => c.name)).toContain('Contact 7');
    expect(harness.crm.maxRequestsInAnyWindow()).toBeLessThanOrEqual(30);

    // The same worker's /metrics, read by an independent Prometheus text parser.
    const logger = createLogger(harness.config, { name: 'ops-test' });
    const ops = await buildOpsServer({ logger, redis: connection, registry });
    const families = parsePrometheusText((await ops.inject({ url: '/metrics' })).body);
    await ops.close();
    const byName = new Map(families.map((f) => [f.name, f]));
    for (const name of [
      'zaprelay_operations_total',
      'zaprelay_operation_duration_seconds',
      'zaprelay_operation_success_ratio',
      'zaprelay_jobs_total',
      'zaprelay_job_time_to_success_seconds',
      'zaprelay_job_attempts',
      'zaprelay_queue_jobs',
      'zaprelay_crm_requests_in_window',
      'zaprelay_crm_rate_limit_max',
    ]) {
      expect(byName.has(name), name).toBe(true);
    }
    const created = byName
      .get('zaprelay_operations_total')
      ?.metrics.find((m) => m.labels?.operation === 'createContact' && m.labels?.outcome === 'success');
    expect(Number(created?.value)).toBe(CONTACTS);
    expect(Number(byName.get('zaprelay_crm_rate_limit_max')?.metrics[0]?.value)).toBe(30);
  }, 45_000);
});
