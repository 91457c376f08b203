import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { expectEachOnce, seedContacts, waitForActivities } from '../support/crm-expectations.js';
import { useSystemStack } from '../support/use-system-stack.js';
import { postTexts } from '../support/webhooks.js';

describe('fault: the CRM is down for a while under load, 3 attempts per job', () => {
  const f = useSystemStack({
    label: 'fault-crm-outage-breaker',
    workers: 2,
    env: {
      SUPER_CRM_RETRY_MAX_ATTEMPTS: '3',
      SUPER_CRM_RETRY_DELAY_MS: '100',
      SUPER_CRM_RETRY_MAX_DELAY_MS: '400',
      CIRCUIT_FAILURE_THRESHOLD: '5',
      CIRCUIT_OPEN_MS: '1000',
    },
  });

  it('no job fails, the outage costs a handful of requests, and every message lands once it is over', async () => {
    const { stack, queues } = f;
    const { crm } = f.doubles;
    const phones = ['5511940000001', '5511940000002', '5511940000003'];
    seedContacts(crm, phones, 'Breaker');
    // Warm the contact look-ups, so that every job below is one activity request.
    const warm = await postTexts(stack.ingressUrl, 'WARM', 3, phones);
    await waitForActivities(crm, warm);

    crm.injectFault({ type: 'unavailable', times: 1_000_000 });
    const ids = await postTexts(stack.ingressUrl, 'DOWN', 60, phones);
    const outageMs = 8000;
    await sleep(outageMs);
    const refused = crm.requests().filter((r) => r.fault === 'unavailable').length;
    const stateDuring = await fetch(`${stack.ingressUrl}/api/status`, {
      headers: { authorization: `Bearer ${stack.env.API_TOKEN}` },
    }).then((r) => r.json() as Promise<{ apis: Array<{ name: string; circuit: string; circuitSince?: string }> }>);
    crm.clearFaults();
    await waitForActivities(crm, ids, 60_000);
    await queues.waitUntilIdle();

    expectEachOnce(crm, [...warm, ...ids]);
    expect(await queues.crm.getFailedCount()).toBe(0);
    // Without the breaker: 60 jobs × 3 attempts = 180 requests, and every job in the failed set.
    // With it: the 5 that open it, what was in flight (2 workers × 4), about one probe per open second.
    console.log(`[breaker] ${refused} requests reached a CRM that was down for ${outageMs} ms, for 60 jobs`);
    expect(refused).toBeLessThanOrEqual(5 + 8 + outageMs / 1000 + 2);
    const crmApi = stateDuring.apis.find((a) => a.name === 'supercrm');
    expect(crmApi?.circuit).toMatch(/^(open|half-open)$/);
    expect(crmApi?.circuitSince).toBeDefined();
  });
});
