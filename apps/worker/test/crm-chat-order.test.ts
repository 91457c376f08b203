import { setTimeout as sleep } from 'node:timers/promises';
import {
  circuitKey,
  createLogger,
  createMessageTrace,
  type InternalMessage,
  messageActivityKey,
  toJobId,
} from '@zaprelay/core';
import { waitFor } from '@zaprelay/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatOrder } from '../src/crm/chat-order.js';
import { createCrmWork, createLostWakeUpSweep } from '../src/crm/index.js';
import { type CrmHarness, message, newPhone, startCrmHarness } from './crm-harness.js';

let h: CrmHarness | undefined;
afterEach(async () => {
  if (h) await h.redis.del(circuitKey(h.config.QUEUE_PREFIX, 'supercrm'));
  await h?.close();
  h = undefined;
});

const FAST = { max: 1000, windowMs: 1000 };
const crmWork = (harness: CrmHarness) =>
  createCrmWork({ crmQueue: harness.crmQueue, connection: harness.redis, config: harness.config });
const landedIds = (harness: CrmHarness) => harness.double.activities().map((a) => a.metadata.message_id);
/** The contact's next activity request fails with a 503: its message goes to a retry's backoff. */
const failNextActivity = (harness: CrmHarness, contactId: string) =>
  harness.double.injectFault({
    type: 'status',
    status: 503,
    method: 'POST',
    path: `/contacts/${contactId}/activities`,
    times: 1,
  });
/** A harness where a chat waits `waitMs` at most for an earlier message, and a failed attempt retries after `retryMs`. */
const orderHarness = (waitMs: number, retryMs: number, env: Record<string, string> = {}) =>
  startCrmHarness({
    rateLimit: FAST,
    env: {
      CRM_CHAT_ORDER_MAX_WAIT_MS: String(waitMs),
      SUPER_CRM_RETRY_DELAY_MS: String(retryMs),
      SUPER_CRM_RETRY_MAX_DELAY_MS: String(retryMs),
      ...env,
    },
  });

describe('CRM worker: conversation order', () => {
  it('creates a chat’s activities in the order sent, though the first needed retries; chat_seq sorts a same-second burst', async () => {
    h = await startCrmHarness({ rateLimit: FAST, workers: 2 });
    const phone = newPhone();
    const contactId = await h.knownContact(phone);
    const at = (iso: string) => ({ timestamp: iso });
    const burst = [
      message(phone, at('2026-11-22T14:03:11.000Z')),
      message(phone, at('2026-11-22T14:03:11.000Z')), // same second, no milliseconds from the gateway
      message(phone, at('2026-11-22T14:03:11.000Z')),
      message(phone, at('2026-11-22T14:03:12.250Z')),
      message(phone, at('2026-11-22T14:03:13.000Z')),
    ];
    // The first activity request(s) fail: the first message is retried while the others are ready.
    h.double.injectFault({
      type: 'status',
      status: 503,
      method: 'POST',
      path: `/contacts/${contactId}/activities`,
      times: 2,
    });
    const work = crmWork(h);
    for (const m of burst) await work.messageActivity(m);
    await h.settled(burst.length);

    expect(await h.crmQueue.getJobCounts('completed', 'failed')).toEqual({ completed: burst.length, failed: 0 });
    const activities = h.double.activities();
    expect(activities.map((a) => a.metadata.message_id)).toEqual(burst.map((m) => m.messageId));
    const seqs = activities.map((a) => Number(a.metadata.chat_seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(burst.length);
    expect(activities[3]?.timestamp).toBe('2026-11-22T14:03:12.250Z');
    expect(activities.every((a) => a.metadata.chat_id === burst[0]?.chatJid)).toBe(true);
    // The waits cost no attempts: only the first message was retried.
    for (const m of burst.slice(1)) {
      expect((await h.crmQueue.getJob(toJobId(messageActivityKey(m))))?.attemptsMade).toBe(1);
    }
  });

  it('a message that keeps failing holds its chat CRM_CHAT_ORDER_MAX_WAIT_MS at most, and other chats not at all', async () => {
    h = await orderHarness(600, 4000, { SUPER_CRM_RETRY_MAX_ATTEMPTS: '2' });
    // One group chat, two authors: the first author's activities fail, the second's do not.
    const group = '120363025000000001@g.us';
    const [failing, fine, other] = [newPhone(), newPhone(), newPhone()];
    const failingId = await h.knownContact(failing);
    await h.knownContact(fine);
    await h.knownContact(other);
    h.double.injectFault({
      type: 'status',
      status: 503,
      method: 'POST',
      path: `/contacts/${failingId}/activities`,
      times: 100,
    });
    const first = message(failing, { chatJid: group, isGroup: true, timestamp: '2026-11-22T14:00:00.000Z' });
    const second = message(fine, { chatJid: group, isGroup: true, timestamp: '2026-11-22T14:00:01.000Z' });
    const otherChat = message(other, { timestamp: '2026-11-22T14:00:02.000Z' });
    const work = crmWork(h);
    await work.messageActivity(first);
    await work.messageActivity(second);
    await work.messageActivity(otherChat);

    const firstJob = async () => h?.crmQueue.getJob(toJobId(messageActivityKey(first)));
    await waitFor(
      'the other chat’s activity',
      async () => landedIds(h as CrmHarness).includes(otherChat.messageId),
      5000,
      20,
    );
    // The other chat did not wait for the group; the second group message is still waiting for the first.
    expect(landedIds(h)).toEqual([otherChat.messageId]);

    await waitFor(
      'the second message after the bounded wait',
      async () => landedIds(h as CrmHarness).includes(second.messageId),
      5000,
      20,
    );
    // It went on while the first was still being retried (not only once that failed for good).
    expect(await (await firstJob())?.getState()).not.toBe('failed');

    await h.settled(3, 15_000);
    expect(await (await firstJob())?.getState()).toBe('failed');
    expect(landedIds(h)).toEqual([otherChat.messageId, second.messageId]);
  });

  it('a head asleep though nothing is before it (its wake-up was lost) is woken by the next message of its chat', async () => {
    h = await orderHarness(60_000, 4000);
    const harness = h;
    const phone = newPhone();
    const contactId = await harness.knownContact(phone);
    const [a, b, c] = ['11', '12', '13'].map((s) => message(phone, { timestamp: `2026-11-22T14:03:${s}.000Z` })) as [
      ReturnType<typeof message>,
      ReturnType<typeof message>,
      ReturnType<typeof message>,
    ];
    const jobOf = async (m: typeof a) => harness.crmQueue.getJob(toJobId(messageActivityKey(m)));
    // a fails once and sits in its retry's backoff; b goes to sleep behind it.
    failNextActivity(harness, contactId);
    const work = crmWork(harness);
    await work.messageActivity(a);
    await waitFor('a in its backoff', async () => (await (await jobOf(a))?.isDelayed()) === true, 10_000, 20);
    await work.messageActivity(b);
    await waitFor(
      'b asleep behind a',
      async () => {
        const job = await jobOf(b);
        return job?.data.orderWaitSince !== undefined && (await job.isDelayed());
      },
      10_000,
      20,
    );
    // a leaves without waking b, as when its process (or the Redis master) dies between the two.
    await (await jobOf(a))?.remove();
    await work.messageActivity(c);
    await waitFor('b and c in the CRM', () => landedIds(harness).length === 2, 15_000, 50);
    expect(landedIds(harness)).toEqual([b.messageId, c.messageId]);
  });

  it('a message whose wake-up was lost is woken by the sweep a worker runs at start and on reconnect, not at its deadline', async () => {
    h = await orderHarness(60_000, 30_000);
    const harness = h;
    const work = crmWork(harness);
    const jobOf = async (m: InternalMessage) => harness.crmQueue.getJob(toJobId(messageActivityKey(m)));
    const asleep = async (m: InternalMessage) => {
      const job = await jobOf(m);
      return job?.data.orderWaitSince !== undefined && (await job.isDelayed());
    };
    // Two chats, each with a first message in a long retry backoff and a second asleep behind it.
    const [lostPhone, heldPhone] = [newPhone(), newPhone()];
    const lostContact = await harness.knownContact(lostPhone);
    const heldContact = await harness.knownContact(heldPhone);
    const at = (phone: string, s: string) => message(phone, { timestamp: `2026-11-22T14:03:${s}.000Z` });
    const [lostHead, lostNext, heldHead, heldNext] = [
      at(lostPhone, '11'),
      at(lostPhone, '12'),
      at(heldPhone, '11'),
      at(heldPhone, '12'),
    ];
    for (const contactId of [lostContact, heldContact]) failNextActivity(harness, contactId);
    for (const head of [lostHead, heldHead]) {
      await work.messageActivity(head);
      await waitFor('a head in its backoff', async () => (await (await jobOf(head))?.isDelayed()) === true, 10_000, 20);
    }
    for (const next of [lostNext, heldNext]) {
      await work.messageActivity(next);
      await waitFor('the next message asleep behind its head', () => asleep(next), 10_000, 20);
    }
    // One head leaves without waking its next message, as when its process (or the Redis master) dies in between.
    await (await jobOf(lostHead))?.remove();

    const sweep = createLostWakeUpSweep({
      queue: harness.crmQueue,
      redis: harness.redis,
      config: harness.config,
      logger: createLogger(harness.config, { name: 'sweep-test' }),
    });
    expect(await sweep.run()).toBe(1);
    await waitFor('the orphaned message in the CRM', () => landedIds(harness).includes(lostNext.messageId), 10_000, 20);
    // The other chat's head is pending (in its backoff): its next message sleeps on, and the head keeps its backoff.
    expect(await asleep(heldNext)).toBe(true);
    expect(await (await jobOf(heldHead))?.isDelayed()).toBe(true);
    expect(landedIds(harness)).toEqual([lostNext.messageId]);
    expect(await sweep.run()).toBe(0);
  });

  it('hostile timing: a late redelivery of a message already filed, and an edit before its original, each land once, holding nothing', async () => {
    h = await startCrmHarness({ rateLimit: FAST, env: { CRM_CHAT_ORDER_MAX_WAIT_MS: '60000' } });
    const phone = newPhone();
    await h.knownContact(phone);
    const work = crmWork(h);
    const first = message(phone, { timestamp: '2026-11-22T14:00:00.000Z' });
    await work.messageActivity(first);
    await h.settled(1);

    const original = message(phone, { timestamp: '2026-11-22T14:00:02.000Z' });
    const edit = message(phone, {
      messageId: `${original.messageId}:edited:EDIT-1`,
      text: 'new text',
      timestamp: '2026-11-22T14:00:05.000Z',
      revision: { type: 'edited', originalMessageId: original.messageId },
    });
    await work.messageActivity(first); // redelivered long after it was filed
    await work.messageActivity(edit); // the edit overtook its original on the way
    await work.messageActivity(original);
    await h.settled(3, 10_000);

    expect([...landedIds(h)].sort()).toEqual([first.messageId, original.messageId, edit.messageId].sort());
    expect(landedIds(h)[0]).toBe(first.messageId);
    const filedEdit = h.double.activities().find((a) => a.metadata.message_id === edit.messageId);
    expect(filedEdit?.metadata).toMatchObject({ revision: 'edited', original_message_id: original.messageId });
    expect(await h.crmQueue.getJobCounts('delayed', 'failed')).toEqual({ delayed: 0, failed: 0 });
  });

  it('a message that fails for good releases its chat at once, long before CRM_CHAT_ORDER_MAX_WAIT_MS', async () => {
    h = await startCrmHarness({ rateLimit: FAST, env: { CRM_CHAT_ORDER_MAX_WAIT_MS: '60000' } });
    const group = '120363025000000002@g.us';
    const [refused, fine] = [newPhone(), newPhone()];
    const refusedId = await h.knownContact(refused);
    await h.knownContact(fine);
    // A 503, then a 422 (permanent): the second message is waiting when the first fails for good on its retry.
    const path = `/contacts/${refusedId}/activities`;
    h.double.injectFault({ type: 'status', status: 503, method: 'POST', path });
    h.double.injectFault({ type: 'status', status: 422, method: 'POST', path });
    const first = message(refused, { chatJid: group, isGroup: true, timestamp: '2026-11-22T14:00:00.000Z' });
    const second = message(fine, { chatJid: group, isGroup: true, timestamp: '2026-11-22T14:00:01.000Z' });
    const work = crmWork(h);
    await work.messageActivity(first);
    await work.messageActivity(second);

    await h.settled(2, 10_000);
    const failed = await h.crmQueue.getJob(toJobId(messageActivityKey(first)));
    expect([await failed?.getState(), failed?.attemptsMade]).toEqual(['failed', 2]);
    expect(landedIds(h)).toEqual([second.messageId]);
  });

  it('a CRM outage longer than CRM_CHAT_ORDER_MAX_WAIT_MS keeps the chat in order: a head held by the breaker is not failing', async () => {
    h = await startCrmHarness({
      rateLimit: FAST,
      workers: 2,
      env: {
        CRM_CHAT_ORDER_MAX_WAIT_MS: '1500',
        CIRCUIT_FAILURE_THRESHOLD: '2',
        CIRCUIT_OPEN_MS: '300',
        SUPER_CRM_RETRY_MAX_ATTEMPTS: '20',
      },
    });
    const phone = newPhone();
    await h.knownContact(phone);
    const chat = Array.from({ length: 6 }, (_, i) => message(phone, { timestamp: `2026-11-22T14:03:1${i}.000Z` }));
    h.double.injectFault({ type: 'unavailable', times: 1_000_000 });
    const work = crmWork(h);
    for (const m of chat) await work.messageActivity(m);
    await sleep(5000); // three times the bounded wait, with the breaker open most of it
    h.double.clearFaults();
    await h.settled(chat.length, 30_000);

    expect(await h.crmQueue.getFailedCount()).toBe(0);
    expect(landedIds(h)).toEqual(chat.map((m) => m.messageId));
  });

  it('a message woken by the one before it goes next, not behind the backlog: its chat’s later messages never park', async () => {
    h = await startCrmHarness({ rateLimit: FAST, workers: 1, env: { WORKER_CONCURRENCY: '1' } });
    const [phone, other] = [newPhone(), newPhone()];
    await h.knownContact(phone);
    await h.knownContact(other);
    const [m1, m2, m3, m4] = [1, 2, 3, 4].map((s) => message(phone, { timestamp: `2026-11-22T14:03:1${s}.000Z` }));
    const backlog = Array.from({ length: 5 }, () => message(other));
    const work = crmWork(h);
    // The chat's first two queued out of order (two workers normalising a burst), then a backlog, then the rest.
    await h.crmQueue.pause();
    for (const m of [m2, m1, ...backlog, m3, m4]) await work.messageActivity(m as InternalMessage);
    await h.crmQueue.resume();
    await h.settled(4 + backlog.length);

    const chat = h.double.activities().filter((a) => a.metadata.chat_id === m1?.chatJid);
    expect(chat.map((a) => a.metadata.message_id)).toEqual([m1, m2, m3, m4].map((m) => m?.messageId));
    // m2 parked once, and once woken went ahead of the backlog: m3 and m4 found it done and were activated once.
    const started = async (m: InternalMessage | undefined) =>
      (await h?.crmQueue.getJob(toJobId(messageActivityKey(m as InternalMessage))))?.attemptsStarted;
    expect(await started(m2)).toBe(2);
    expect(await started(m3)).toBe(1);
    expect(await started(m4)).toBe(1);
  });
});

describe('chat order: an attempt to queue a message that died half-way', () => {
  it('does not make the message wait for itself: a member of its own job under another seq is stale', async () => {
    h = await startCrmHarness({ rateLimit: FAST, workers: 0 });
    const order = createChatOrder(h.redis, h.crmQueue, h.config);
    const m = message(newPhone(), { receivedAt: Date.now() });
    const jobId = 'order-self-block';
    // The first attempt's member (an earlier seq) stayed: its process died before the job was added.
    const key = `${h.config.QUEUE_PREFIX}:crm:chat-pending:{${m.instance}:${m.chatJid}}`;
    const stale = `${String(m.receivedAt).padStart(15, '0')}${'1'.padStart(15, '0')}|${jobId}`;
    await h.redis.zadd(key, Date.parse(m.timestamp), stale);
    const seq = await order.enter(m, jobId, (chatSeq) => ({ name: 'message-activity', data: { chatSeq } }));
    expect(await h.redis.zrange(key, 0, -1)).toEqual([stale, expect.stringMatching(/\|order-self-block$/)]);

    expect(await order.blockedBy(m, jobId, seq)).toBeUndefined();
    expect(await h.redis.zrange(key, 0, -1)).toEqual([expect.not.stringMatching(/^0+1\|/)]);
  });
});

describe('chat order: writes alongside an entry (one Redis)', () => {
  it('go out with the member before the job; a redelivery that collapsed leaves no member of its own', async () => {
    h = await startCrmHarness({ rateLimit: FAST, workers: 0 });
    const order = createChatOrder(h.redis, h.crmQueue, h.config);
    const trace = createMessageTrace(h.redis, h.config.QUEUE_PREFIX, 600);
    const m = message(newPhone(), { receivedAt: Date.now() });
    const jobId = 'order-alongside';
    const pending = `${h.config.QUEUE_PREFIX}:crm:chat-pending:{${m.instance}:${m.chatJid}}`;
    const valueKey = `${h.config.QUEUE_PREFIX}:crm:alongside-value:${m.phone}`;
    const alongside = () => ({
      trace: trace.entry([m.messageId], 'queued-for-crm', { jobId }),
      value: { key: valueKey, value: m.instance, ttlSeconds: 120 },
    });
    const job = (chatSeq: number) => ({ name: 'message-activity', data: { chatSeq } });

    const seq = await order.enter(m, jobId, job, alongside());
    expect((await trace.read(m.messageId)).map((e) => [e.stage, e.jobId])).toEqual([['queued-for-crm', jobId]]);
    expect(await h.redis.get(valueKey)).toBe(m.instance);
    expect(await h.redis.ttl(valueKey)).toBeGreaterThan(100);
    expect(await h.redis.ttl(pending)).toBeGreaterThan(0);
    const first = await h.redis.zrange(pending, 0, -1);
    expect(first).toEqual([expect.stringMatching(new RegExp(`^\\d{15}0*${seq}\\|${jobId}$`))]);

    // The same message again while its job waits: collapsed into that job, its own member gone, its trace kept.
    await order.enter(m, jobId, job, alongside());
    expect(await h.redis.zrange(pending, 0, -1)).toEqual(first);
    expect(await trace.read(m.messageId)).toHaveLength(2);
    await h.redis.del(valueKey);
  });
});
