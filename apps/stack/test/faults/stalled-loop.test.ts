import { fileURLToPath } from 'node:url';
import { createEvolutionDouble, createSuperCrmDouble } from '@zaprelay/test-kit';
import { testRedisUrl } from '@zaprelay/test-kit/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectEachOnce, seedContacts, waitForActivities } from '../support/crm-expectations.js';
import { STACK_SECRETS } from '../support/system-env.js';
import { type SystemStack, startSystemStack } from '../support/system-stack.js';
import { postTexts } from '../support/webhooks.js';

const STALL_PRELOAD = fileURLToPath(new URL('../support/stall-loop.mjs', import.meta.url));

describe('fault: a worker whose event loop stalls for a second, under a strict sliding-window CRM', () => {
  // The CRM counts every request, refused ones included, in any window of 1 s: 2 at most. So few that BullMQ's
  // limiter (one activation per 600 ms) has another job's request in most windows a stalled request lands in:
  // without the send-time reservation most stalls end in a 429 (with 5 per second, one in six did).
  const N = 2;
  const W = 1000;
  const crm = createSuperCrmDouble({ rateLimit: { max: N, windowMs: W } });
  const evolution = createEvolutionDouble({
    apiKey: STACK_SECRETS.EVOLUTION_API_KEY,
    instances: { 'sales-01': 'open' },
  });
  let stack: SystemStack;

  beforeAll(async () => {
    await crm.listen();
    await evolution.listen();
    stack = await startSystemStack({
      redisUrl: testRedisUrl(),
      crm,
      evolution,
      label: 'fault-stalled-loop',
      env: {
        SUPER_CRM_RATE_LIMIT_MAX: String(N),
        SUPER_CRM_RATE_LIMIT_DURATION_MS: String(W),
        // The default slack, not the stack's wider one: BullMQ's spacing alone then leaves too little headroom
        // for a stalled request, and only the reservation at send time keeps the window.
        SUPER_CRM_SEND_SLACK_MS: '200',
      },
    });
    // A second worker whose loop stops for 1 s after every third contact look-up: after its job was
    // activated by BullMQ's limiter, before its request left.
    await stack.startWorker({
      NODE_OPTIONS: `--import=${STALL_PRELOAD}`,
      ZAPRELAY_TEST_STALL_MS: '1000',
      ZAPRELAY_TEST_STALL_EVERY: '3',
    });
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([crm.close(), evolution.close()]);
  });

  it('the CRM never answers 429 and never sees more than N requests in a window', async ({ onTestFailed }) => {
    onTestFailed(() => console.log(stack.outputTail()));
    const phones = ['5511950000001', '5511950000002', '5511950000003', '5511950000004'];
    seedContacts(crm, phones, 'Stall');
    const ids = await postTexts(stack.ingressUrl, 'STALL', 20, phones);
    await waitForActivities(crm, ids, 90_000);

    expectEachOnce(crm, ids);
    const refused = crm.requests().filter((r) => r.status === 429);
    expect(refused).toHaveLength(0);
    expect(crm.maxRequestsInAnyWindow()).toBeLessThanOrEqual(N);
  });
});
