import {
  createEvolutionDouble,
  createSuperCrmDouble,
  type EvolutionDouble,
  evolutionOutboundUpsert,
  evolutionText,
  freePort,
  type SuperCrmDouble,
  waitFor,
} from '@zaprelay/test-kit';
import { testRedisUrl } from '@zaprelay/test-kit/vitest';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { activityCounts } from './support/crm-expectations.js';
import { openStackQueues, type StackQueues } from './support/stack-queues.js';
import { STACK_SECRETS } from './support/system-env.js';
import { type SystemStack, startSystemStack } from './support/system-stack.js';
import { postApiMessage, postEvolution } from './support/webhooks.js';

/** The CRM's limit in this test: small, so a burst of a few dozen requests really is held back by it. */
const LIMIT = { max: 10, windowMs: 1000 };

describe('system: a burst of webhooks and sends through the ingress and two workers, under the CRM limit', () => {
  let crm: SuperCrmDouble;
  let evolution: EvolutionDouble;
  let stack: SystemStack;
  let queues: StackQueues;

  beforeAll(async () => {
    const ingressPort = await freePort();
    crm = createSuperCrmDouble({ rateLimit: LIMIT });
    // Evolution echoes each message we send through it as a `send.message` webhook, as the real one does.
    evolution = createEvolutionDouble({
      apiKey: STACK_SECRETS.EVOLUTION_API_KEY,
      instances: { 'sales-01': 'open' },
      webhookUrl: `http://127.0.0.1:${ingressPort}/webhooks/evolution`,
      webhookHeaders: { 'x-webhook-token': STACK_SECRETS.EVOLUTION_WEBHOOK_TOKEN },
    });
    await Promise.all([crm.listen(), evolution.listen()]);
    stack = await startSystemStack({
      redisUrl: testRedisUrl(),
      crm,
      evolution,
      ingressPort,
      workers: 2,
      label: 'system-burst',
      env: {
        SUPER_CRM_RATE_LIMIT_MAX: String(LIMIT.max),
        SUPER_CRM_RATE_LIMIT_DURATION_MS: String(LIMIT.windowMs),
      },
    });
    queues = openStackQueues(stack.env);
  });
  afterAll(async () => {
    await queues?.close();
    await stack?.close();
    await Promise.all([crm?.close(), evolution?.close()]);
  });

  it('ends with every message once on the contact of its phone, one contact per phone, never over the limit', async () => {
    onTestFailed(() => console.log(stack.outputTail()));
    const known = [
      crm.seedContact({ name: 'Ana Known', phone: '+5511940000001' }),
      crm.seedContact({ name: 'Bia Known', phone: '+5511940000002' }),
    ];
    const newPhones = ['+5511950000001', '+5511950000002', '+5511950000003', '+5511950000004'];
    const phones = [...known.map((c) => c.phone), ...newPhones];
    const digits = (phone: string) => phone.slice(1);

    // Two inbound messages per phone, one outbound typed on the phone for three of them, all at once.
    const inbound = phones.flatMap((phone, p) =>
      [0, 1].map((n) => ({
        id: `BURST-IN-${p}-${n}`,
        phone,
        body: evolutionText({ id: `BURST-IN-${p}-${n}`, phone: digits(phone), pushName: `Person ${p}` }),
      })),
    );
    const typedOnPhone = [0, 2, 4].map((p) => ({
      id: `BURST-OUT-${p}`,
      phone: phones[p] as string,
      body: evolutionOutboundUpsert({ id: `BURST-OUT-${p}`, phone: digits(phones[p] as string) }),
    }));
    const webhooks = [...inbound, ...typedOnPhone];
    const [answers, sends] = await Promise.all([
      Promise.all(webhooks.map((w) => postEvolution(stack.ingressUrl, w.body))),
      Promise.all(
        [phones[1], phones[3]].map((to) =>
          postApiMessage(stack.ingressUrl, { instance: 'sales-01', to: to as string, text: 'Resposta do agente' }),
        ),
      ),
    ]);
    expect(answers.every((status) => status === 202)).toBe(true);
    expect(sends.map((s) => s.status)).toEqual([202, 202]);
    // The gateway redelivers some of them while the first deliveries are still being worked on.
    const redelivered = await Promise.all(webhooks.slice(0, 5).map((w) => postEvolution(stack.ingressUrl, w.body)));
    expect(redelivered).toEqual([200, 200, 200, 200, 200]);

    await waitFor('both API sends to reach Evolution', () => evolution.sent.length === 2, 60_000);
    const sent = evolution.sent.map((s) => ({ id: s.messageId, phone: `+${s.number.replace(/\D/g, '')}` }));
    const expected = [...webhooks.map((w) => ({ id: w.id, phone: w.phone })), ...sent];
    await waitFor(
      `${expected.length} activities in the CRM`,
      () => expected.every((m) => activityCounts(crm).has(m.id)),
      90_000,
      200,
    );
    await evolution.flushWebhooks();
    await queues.waitUntilIdle(60_000);

    const counts = activityCounts(crm);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.size).toBe(expected.length);
    const contacts = crm.contacts();
    expect(contacts.map((c) => c.phone).sort()).toEqual([...phones].sort());
    const contactOf = new Map(contacts.map((c) => [c.phone, c.id]));
    for (const m of expected) {
      const activity = crm.activities().find((a) => a.metadata.message_id === m.id);
      expect(activity?.contact_id, m.id).toBe(contactOf.get(m.phone));
    }
    const outbound = crm.activities().filter((a) => a.direction === 'outbound');
    expect(outbound).toHaveLength(typedOnPhone.length + sent.length);
    // Known contacts kept their ids; the new numbers each got exactly one contact.
    for (const c of known) expect(contactOf.get(c.phone)).toBe(c.id);

    console.log(
      `[burst] ${crm.requests().length} CRM requests, at most ${crm.maxRequestsInAnyWindow()} in any ${LIMIT.windowMs} ms (limit ${LIMIT.max})`,
    );
    expect(crm.maxRequestsInAnyWindow()).toBeLessThanOrEqual(LIMIT.max);
    expect(crm.requests().filter((r) => r.status === 429)).toEqual([]);
  });
});
