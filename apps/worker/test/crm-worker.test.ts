import { type InternalMessage, messageActivityKey, toJobId } from '@zaprelay/core';
import type { Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { contactCacheKey, enqueueContactUpsert, enqueueMessageActivity } from '../src/crm/index.js';
import { type CrmHarness, message, newPhone, startCrmHarness } from './crm-harness.js';

let h: CrmHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const FAST = { max: 1000, windowMs: 1000 };

async function jobOf(harness: CrmHarness, m: InternalMessage): Promise<Job> {
  const job = await harness.crmQueue.getJob(toJobId(messageActivityKey(m)));
  if (!job) throw new Error(`no job for ${m.messageId}`);
  return job;
}

const wire = (harness: CrmHarness) =>
  harness.double
    .requests()
    .map((r) => `${r.method} ${r.path} ${r.status}${r.replayed ? ' replayed' : ''}${r.dropped ? ' dropped' : ''}`);

describe('CRM worker', () => {
  it('a burst of new and known contacts: one contact per phone, every activity once, the limit held by two workers', async () => {
    const N = 10;
    h = await startCrmHarness({ rateLimit: { max: N, windowMs: 1000 }, workers: 2 });
    const cachedPhones = [newPhone(), newPhone()];
    for (const phone of cachedPhones) await h.knownContact(phone);
    const uncachedPhone = newPhone();
    h.double.seedContact({ name: 'In the CRM already', phone: uncachedPhone });
    const newPhones = [newPhone(), newPhone(), newPhone()];

    const phones = [...cachedPhones, uncachedPhone, ...newPhones];
    const messages = phones.flatMap((phone) => [
      message(phone),
      message(phone, { kind: 'image', text: 'the invoice' }),
      message(phone, { direction: 'outbound', contactName: undefined }),
    ]);
    // Slow contact creations: later messages from a new number search while the first one's create is
    // in flight, find nothing and create too, at the same time.
    h.double.injectFault({ type: 'delay', ms: 400, method: 'POST', path: '/contacts', times: 100 });
    for (const m of messages) await enqueueMessageActivity(h.crmQueue, m);
    await enqueueMessageActivity(h.crmQueue, messages[0] as InternalMessage); // a redelivery
    await h.settled(messages.length);
    expect(await h.crmQueue.getJobCounts('completed', 'failed')).toEqual({ completed: messages.length, failed: 0 });

    const contacts = h.double.contacts();
    for (const phone of phones) expect(contacts.filter((c) => c.phone === phone)).toHaveLength(1);
    // Named from pushName, or by the phone when the creating message was our own (outbound, no pushName).
    for (const c of contacts.filter((c) => newPhones.includes(c.phone)))
      expect([c.phone, 'Pushname']).toContain(c.name);

    const activities = h.double.activities();
    expect(activities).toHaveLength(messages.length);
    for (const m of messages) {
      const mine = activities.filter((a) => a.metadata.message_id === m.messageId);
      expect(mine).toHaveLength(1);
      expect(contacts.find((c) => c.id === mine[0]?.contact_id)?.phone).toBe(m.phone);
    }

    const requests = h.double.requests();
    expect(requests.filter((r) => (r.status ?? 0) >= 400)).toEqual([]);
    expect(h.double.maxRequestsInAnyWindow()).toBeLessThanOrEqual(N);
    // Known contacts: their activities and nothing else (no search could be theirs: the cache answered).
    for (const phone of cachedPhones) {
      const id = contacts.find((c) => c.phone === phone)?.id;
      expect(requests.filter((r) => r.path.startsWith(`/contacts/${id}`))).toHaveLength(3);
    }
    // Racing jobs for a new number sent the same Idempotency-Key: one creation each, the rest replays.
    const creations = requests.filter((r) => r.method === 'POST' && r.path === '/contacts');
    expect(creations.filter((r) => !r.replayed)).toHaveLength(newPhones.length);
    expect(creations.filter((r) => r.replayed).length).toBeGreaterThan(0);
    for (const m of messages) expect((await jobOf(h, m)).returnvalue).toMatchObject({ activityId: expect.any(String) });
  });

  it('two messages from a new number at the same time create one contact', async () => {
    h = await startCrmHarness({ rateLimit: FAST });
    const phone = newPhone();
    // Both searches are in flight together, so both jobs find nothing and both create.
    h.double.injectFault({ type: 'barrier', count: 2, path: '/contacts/search', times: 2 });
    const messages = [message(phone), message(phone)];
    for (const m of messages) await enqueueMessageActivity(h.crmQueue, m);
    await h.settled(2);

    const [contact, ...others] = h.double.contacts();
    expect(others).toEqual([]);
    expect(wire(h).filter((line) => line.startsWith('POST /contacts 201'))).toEqual([
      'POST /contacts 201',
      'POST /contacts 201 replayed',
    ]);
    expect(h.double.activities().map((a) => a.contact_id)).toEqual([contact?.id, contact?.id]);
  });

  it('turns the message into the activity body of the contract, user_token from config, never from the job', async () => {
    h = await startCrmHarness({ rateLimit: FAST, env: { WUZAPI_USER_TOKENS: 'sales-01:user-token-1' } });
    const phone = newPhone();
    const contactId = await h.knownContact(phone);
    const messages = [
      message(phone, { text: 'plain words' }),
      message(phone, { kind: 'image', text: 'a caption' }),
      message(phone, { kind: 'audio', text: undefined }),
      message(phone, { source: 'wuzapi', userToken: 'token-from-an-old-webhook', direction: 'outbound' }),
    ];
    for (const m of messages) await enqueueMessageActivity(h.crmQueue, m);
    const stored = await h.crmQueue.getJobs(['waiting', 'active', 'delayed', 'completed']);
    expect(JSON.stringify(stored.map((j) => j.data))).not.toContain('token-from-an-old-webhook');
    await h.settled(messages.length);

    const byId = new Map(h.double.activities().map((a) => [a.metadata.message_id, a]));
    expect(messages.map((m) => byId.get(m.messageId)?.description)).toEqual([
      'plain words',
      '[image] a caption',
      '[audio]',
      messages[3]?.text,
    ]);
    expect(byId.get(messages[3]?.messageId)).toMatchObject({
      contact_id: contactId,
      type: 'whatsapp_message',
      direction: 'outbound',
      timestamp: '2026-11-22T14:03:11.000Z',
      metadata: { message_id: messages[3]?.messageId, instance: 'sales-01', user_token: 'user-token-1' },
    });
    expect(byId.get(messages[0]?.messageId)?.metadata).toEqual({
      message_id: messages[0]?.messageId,
      instance: 'sales-01',
      chat_id: messages[0]?.chatJid,
    });
    expect(
      h.double
        .requests()
        .filter((r) => r.method === 'POST')
        .map((r) => r.idempotencyKey),
    ).toEqual(expect.arrayContaining(messages.map((m) => messageActivityKey(m))));
  });

  it('an implausible gateway clock: the activity carries the time of receipt, flagged, with the gateway value', async () => {
    h = await startCrmHarness({ rateLimit: FAST });
    const phone = newPhone();
    await h.knownContact(phone);
    const m = message(phone, { timestamp: '2026-11-22T14:03:11.000Z', gatewayTimestamp: '1970-01-01T00:16:40.000Z' });
    await enqueueMessageActivity(h.crmQueue, m);
    await h.settled(1);
    expect(h.double.activities()[0]).toMatchObject({
      timestamp: '2026-11-22T14:03:11.000Z',
      metadata: { message_id: m.messageId, timestamp_replaced: true, gateway_timestamp: '1970-01-01T00:16:40.000Z' },
    });
  });

  it('honours a 429 with Retry-After for the whole queue, without using up an attempt', async () => {
    h = await startCrmHarness({ rateLimit: FAST });
    const phone = newPhone();
    await h.knownContact(phone);
    h.double.injectFault({ type: 'rate-limited', retryAfterSeconds: 1, method: 'POST' });
    const m = message(phone);
    await enqueueMessageActivity(h.crmQueue, m);
    await h.settled(1);

    const job = await jobOf(h, m);
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsMade).toBe(1);
    const [limited, next] = h.double.requests();
    expect([limited?.status, next?.status]).toEqual([429, 201]);
    // Nothing reached the CRM before Retry-After had passed.
    expect((next?.time ?? 0) - (limited?.time ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(h.double.activities()).toHaveLength(1);
  });

  it('retries 5xx with backoff until it succeeds', async () => {
    h = await startCrmHarness({ rateLimit: FAST });
    const phone = newPhone();
    await h.knownContact(phone);
    h.double.injectFault({ type: 'unavailable', times: 2, method: 'POST' });
    const m = message(phone);
    await enqueueMessageActivity(h.crmQueue, m);
    await h.settled(1);

    const job = await jobOf(h, m);
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsMade).toBe(3);
    expect(h.double.requests().map((r) => r.status)).toEqual([503, 503, 201]);
    expect(h.double.activities()).toHaveLength(1);
  });

  it('ends a permanent 4xx at once in the failed set, kept', async () => {
    h = await startCrmHarness({ rateLimit: FAST, apiKey: 'a-wrong-key' });
    const m = message(newPhone());
    await enqueueMessageActivity(h.crmQueue, m);
    await h.settled(1);

    const job = await jobOf(h, m);
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain('HTTP 401');
    expect((await h.crmQueue.getFailed()).map((j) => j.id)).toEqual([job.id]);
    expect(h.double.requests().map((r) => r.status)).toEqual([401]);
  });

  it('fails a malformed job without retrying it', async () => {
    h = await startCrmHarness({ rateLimit: FAST });
    const job = await h.crmQueue.add('message-activity', { kind: 'message-activity', message: { phone: '123' } });
    await h.settled(1);
    const failed = await h.crmQueue.getJob(job.id as string);
    expect(await failed?.getState()).toBe('failed');
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/^invalid CRM job: message\./);
    expect(h.double.requests()).toEqual([]);
  });

  it('a response lost after the CRM committed creates no duplicate contact or activity', async () => {
    h = await startCrmHarness({ rateLimit: FAST });
    const phone = newPhone();
    h.double.injectFault({ type: 'drop-response-after-commit', method: 'POST', path: '/contacts' });
    h.double.injectFault({ type: 'drop-response-after-commit', method: 'POST', path: '/contacts/:id/activities' });
    const m = message(phone);
    await enqueueMessageActivity(h.crmQueue, m);
    await h.settled(1);

    const contacts = h.double.contacts();
    expect(contacts).toHaveLength(1);
    const id = contacts[0]?.id;
    expect(h.double.activities()).toHaveLength(1);
    expect(wire(h)).toEqual([
      'GET /contacts/search 200',
      'POST /contacts 201 dropped',
      'POST /contacts 201 replayed',
      `POST /contacts/${id}/activities 201 dropped`,
      `POST /contacts/${id}/activities 201 replayed`,
    ]);
    expect(await jobOf(h, m).then((j) => j.getState())).toBe('completed');
  });

  it('resolves the contact again when the cached one was deleted in the CRM', async () => {
    h = await startCrmHarness({ rateLimit: FAST });
    const phone = newPhone();
    const deleted = await h.knownContact(phone);
    h.double.removeContact(deleted);
    const m = message(phone);
    await enqueueMessageActivity(h.crmQueue, m);
    await h.settled(1);

    const [fresh] = h.double.contacts();
    expect(fresh?.id).not.toBe(deleted);
    expect(wire(h)).toEqual([
      `POST /contacts/${deleted}/activities 404`,
      'GET /contacts/search 200',
      'POST /contacts 201',
      `POST /contacts/${fresh?.id}/activities 201`,
    ]);
    expect(h.double.activities().map((a) => a.contact_id)).toEqual([fresh?.id]);
    expect(await h.redis.get(contactCacheKey(h.config.QUEUE_PREFIX, phone))).toBe(fresh?.id);
    expect((await jobOf(h, m)).attemptsMade).toBe(1);
  });

  it('contact-upsert creates the contact, then renames it with PUT while it holds the name we wrote', async () => {
    h = await startCrmHarness({ rateLimit: FAST });
    const phone = newPhone();
    await enqueueContactUpsert(h.crmQueue, { phone, name: 'Ana' });
    await h.settled(1);
    expect(h.double.contacts()).toEqual([expect.objectContaining({ phone, name: 'Ana', source: 'whatsapp' })]);

    await enqueueContactUpsert(h.crmQueue, { phone, name: 'Ana Maria' });
    await enqueueContactUpsert(h.crmQueue, { phone }); // one pending upsert per phone: collapses into the one before
    await h.settled(2);
    expect(await h.crmQueue.count()).toBe(0);
    const [contact] = h.double.contacts();
    expect(contact?.name).toBe('Ana Maria');
    expect(wire(h)).toEqual([
      'GET /contacts/search 200',
      'POST /contacts 201',
      `GET /contacts/${contact?.id} 200`, // cached: no search; still our name, not an agent's?
      `PUT /contacts/${contact?.id} 200`,
    ]);
  });

  it('takes the existing contact on 409 (created elsewhere after our search)', async () => {
    h = await startCrmHarness({ rateLimit: FAST });
    const phone = newPhone();
    const existing = h.double.seedContact({ name: 'Old Name', phone });
    // Both jobs searched before someone created the contact in the CRM: they are at their create step.
    const m = message(phone);
    await h.crmQueue.add('message-activity', { kind: 'message-activity', message: m, step: 'create-contact' });
    await h.settled(1);
    await h.crmQueue.add('contact-upsert', { kind: 'contact-upsert', phone, name: 'New Name', step: 'create-contact' });
    await h.settled(2);

    // Not a name zaprelay wrote: it stays.
    expect(h.double.contacts()).toEqual([expect.objectContaining({ id: existing.id, name: 'Old Name' })]);
    expect(h.double.activities().map((a) => a.contact_id)).toEqual([existing.id]);
    expect(wire(h)).toEqual([
      'POST /contacts 409',
      `POST /contacts/${existing.id}/activities 201`,
      'POST /contacts 409',
    ]);
  });
});
