import { configuredInstances, QUEUES } from '@zaprelay/core';
import { createWuzapiDouble, goTime, type WuzapiDouble, waitFor, wuzapiText } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackfill, storeWuzapiWebhook } from './reconcile-helpers.js';
import { createRuntimeHarness, type RuntimeHarness } from './runtime-harness.js';

const HOUR = 3600_000;
/** WUZAPI's own spelling of the user, as its webhooks carry it; configured names match in any case. */
const SPELLED = 'Loja-Centro';

describe('reconciliation of an instance whose name has capitals (WUZAPI)', () => {
  let harness: RuntimeHarness;
  let wuzapi: WuzapiDouble;
  beforeAll(async () => {
    wuzapi = createWuzapiDouble({ users: { 'tok-loja': SPELLED } });
    harness = await createRuntimeHarness(
      {
        EVOLUTION_MONITORING_ENABLED: 'false',
        WUZAPI_API_URL: await wuzapi.listen(),
        WUZAPI_USER_TOKENS: `${SPELLED}:tok-loja`,
      },
      { max: 10_000, windowMs: 60_000 },
    );
  });
  afterAll(async () => {
    await harness.close();
    await wuzapi.close();
  });

  it('the scheduled run finds the chats its webhooks showed, and a message that came both ways is one activity', async () => {
    const { runtime, connection } = await harness.startWorker();
    const chat = '5511933334444@s.whatsapp.net';
    const now = Date.now();
    const seen = wuzapiText({ id: 'WZ-CAPS-SEEN', phone: '5511933334444', timestamp: new Date(now - HOUR) });
    // As the ingress stores it: the instance as WUZAPI spells it.
    await storeWuzapiWebhook(
      { queue: runtime.queues[QUEUES.events], redis: connection, prefix: harness.config.QUEUE_PREFIX },
      SPELLED,
      seen,
    );
    await waitFor('the webhook’s activity', () => harness.crm.activities().length === 1, 30_000, 50);

    wuzapi.history.setHistory(SPELLED, 100);
    const row = (id: string) => ({
      chat_jid: chat,
      sender_jid: chat,
      message_id: id,
      message_type: 'text',
      text_content: `texto ${id}`,
      media_link: '',
      timestamp: goTime(now - HOUR / 2),
    });
    wuzapi.history.store(SPELLED, row('WZ-CAPS-SEEN'));
    wuzapi.history.store(SPELLED, row('WZ-CAPS-LOST'));

    // The instance as the schedule names it (from WUZAPI_USER_TOKENS).
    const scheduled = configuredInstances(harness.config).find((i) => i.gateway === 'wuzapi');
    const progress = await runBackfill(
      runtime.queues[QUEUES.backfill],
      { instance: String(scheduled?.instance), gateway: 'wuzapi', since: now - 6 * HOUR, until: Date.now() + 1000 },
      'schedule',
    );
    expect(progress).toMatchObject({ read: 2, known: 1, queued: 1, chats: { done: 1, total: 1 } });
    await waitFor('the lost activity', () => harness.crm.activities().length >= 2, 30_000, 50);
    await new Promise((r) => setTimeout(r, 300));
    expect(
      harness.crm
        .activities()
        .map((a) => a.metadata.message_id)
        .sort(),
    ).toEqual(['WZ-CAPS-LOST', 'WZ-CAPS-SEEN']);
  });
});
