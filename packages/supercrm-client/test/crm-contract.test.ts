import { capturingLogger, createSuperCrmDouble, type SuperCrmDouble } from '@zaprelay/test-kit';
import { externalFailure } from '@zaprelay/test-kit/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CrmClient,
  conflictingContactId,
  createCrmClient,
  MAX_SEARCH_PHONES,
  type NewActivity,
  USER_AGENT,
} from '../src/index.js';

/**
 * One contract (shared/supercrm-api.md) for both sides: every case sends the
 * client's real requests to the double's real server, so a drift in either
 * shows up here.
 */

const { logger, lines: logLines } = capturingLogger();

let serial = 0;
const newPhone = () => `+55119${String(10_000_000 + serial++).padStart(8, '0')}`;
const contactInput = (phone: string, name = 'Maria Silva') => ({
  name,
  phone,
  source: 'whatsapp',
  created_at: '2026-11-22T14:03:11.000Z',
});
const activityInput = (text: string, messageId = `MSG${serial++}`): NewActivity => ({
  type: 'whatsapp_message',
  description: text,
  direction: 'inbound',
  timestamp: '2026-11-22T14:03:11.000Z',
  metadata: { message_id: messageId, instance: 'sales-01' },
});

describe('SuperCRM contract (client ↔ double)', () => {
  let double: SuperCrmDouble;
  let client: CrmClient;

  beforeAll(async () => {
    double = createSuperCrmDouble({ rateLimit: { max: 1000, windowMs: 60_000 } });
    const baseUrl = await double.listen();
    client = createCrmClient(
      { SUPER_CRM_BASE_URL: baseUrl, SUPER_CRM_API_KEY: double.apiKey, SUPER_CRM_TIMEOUT_MS: 1000 },
      logger,
    );
  });
  afterAll(() => double.close());

  it('search → [] for an unknown phone; create → 201 Contact; search and get find it', async () => {
    const phone = newPhone();
    expect(await client.searchContactsByPhone(phone)).toEqual([]);

    const created = await client.createContact(contactInput(phone), { idempotencyKey: `contact:${phone}` });
    expect(created).toMatchObject({ name: 'Maria Silva', phone, source: 'whatsapp' });
    expect(created.id).toBeTruthy();
    expect(created.created_at).toBe('2026-11-22T14:03:11.000Z');

    expect(await client.searchContactsByPhone(phone)).toEqual([created]);
    expect(await client.getContact(created.id)).toEqual(created);

    const onTheWire = double.requests().slice(-4);
    expect(onTheWire.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /contacts/search 200',
      'POST /contacts 201',
      'GET /contacts/search 200',
      `GET /contacts/${created.id} 200`,
    ]);
    expect(onTheWire.every((r) => r.userAgent === USER_AGENT)).toBe(true);
    expect(USER_AGENT).toMatch(/^zaprelay\/\d+\.\d+\.\d+/);
    expect(onTheWire[1]?.idempotencyKey).toBe(`contact:${phone}`);
  });

  it('one search for several phones (phone=A&phone=B, OR-ed): every contact holding any of them', async () => {
    const [a, b, nobody] = [newPhone(), newPhone(), newPhone()];
    const first = double.seedContact({ name: 'A', phone: a });
    const second = double.seedContact({ name: 'B', phone: b });
    const found = await client.searchContactsByPhones([a, nobody, b]);
    expect(found.map((c) => c.id).sort()).toEqual([first.id, second.id].sort());
    const last = double.requests().at(-1);
    expect(last).toMatchObject({ method: 'GET', path: '/contacts/search', status: 200 });
    expect(new URLSearchParams(last?.query).getAll('phone')).toEqual([a, nobody, b]);
    expect(await client.searchContactsByPhones([nobody])).toEqual([]);
  });

  it(`400 over ${MAX_SEARCH_PHONES} phones (the client refuses to send such a search)`, async () => {
    const phones = Array.from({ length: MAX_SEARCH_PHONES + 1 }, newPhone);
    const raw = await fetch(
      `${double.baseUrl}/contacts/search?${phones.map((p) => `phone=${encodeURIComponent(p)}`).join('&')}`,
      { headers: { authorization: `Bearer ${double.apiKey}` } },
    );
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ error: 'bad_request', message: expect.stringContaining('at most 5') });
    const sent = double.requests().length;
    await expect(client.searchContactsByPhones(phones)).rejects.toThrow(RangeError);
    await expect(client.searchContactsByPhones([])).rejects.toThrow(RangeError);
    expect(double.requests()).toHaveLength(sent);
    const bad = await externalFailure(client.searchContactsByPhones([newPhone(), 'not-a-phone']));
    expect(bad).toMatchObject({ status: 400, kind: 'permanent' });
  });

  it("an agent's edit in the CRM: a new name and a later updated_at, seen by GET; no request recorded", async () => {
    const phone = newPhone();
    const created = await client.createContact(contactInput(phone, 'Pushname'), { idempotencyKey: `contact:${phone}` });
    const sent = double.requests().length;
    const edited = double.editContactAsAgent(created.id, { name: 'Dona Maria (cliente VIP)' });
    const again = double.editContactAsAgent(created.id, { name: 'Dona Maria' });
    expect(double.requests()).toHaveLength(sent);
    expect(Date.parse(edited.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));
    expect(Date.parse(again.updated_at)).toBeGreaterThan(Date.parse(edited.updated_at));
    expect(await client.getContact(created.id)).toMatchObject({ name: 'Dona Maria', updated_at: again.updated_at });
    expect(() => double.editContactAsAgent('ct_missing', { name: 'x' })).toThrow(/no contact/);
  });

  it('PUT updates the given fields and updated_at', async () => {
    const phone = newPhone();
    const created = await client.createContact(contactInput(phone), { idempotencyKey: `contact:${phone}` });
    const updated = await client.updateContact(created.id, {
      name: 'Maria S.',
      email: 'maria@example.com',
      updated_at: '2026-11-23T08:00:00.000Z',
    });
    expect(updated).toMatchObject({ id: created.id, name: 'Maria S.', email: 'maria@example.com', phone });
    expect(updated.updated_at).toBe('2026-11-23T08:00:00.000Z');
    expect(double.contacts().find((c) => c.id === created.id)?.name).toBe('Maria S.');
  });

  it('POST activities → 201 Activity with an id, stored on the contact', async () => {
    const phone = newPhone();
    const contact = await client.createContact(contactInput(phone), { idempotencyKey: `contact:${phone}` });
    const body = activityInput('[image] the invoice');
    const activity = await client.createActivity(contact.id, body, { idempotencyKey: 'wa-msg:sales-01:A1' });
    expect(activity.id).toBeTruthy();
    expect(activity).toMatchObject({ type: 'whatsapp_message', description: '[image] the invoice' });
    expect(double.activities().filter((a) => a.id === activity.id)).toEqual([
      expect.objectContaining({ contact_id: contact.id, metadata: body.metadata, direction: 'inbound' }),
    ]);
  });

  it('409 on a second contact for a phone exposes the existing id', async () => {
    const phone = newPhone();
    const first = await client.createContact(contactInput(phone), { idempotencyKey: `first:${phone}` });
    const err = await externalFailure(client.createContact(contactInput(phone), { idempotencyKey: `second:${phone}` }));
    expect(err).toMatchObject({ status: 409, kind: 'permanent', code: 'conflict' });
    expect(conflictingContactId(err)).toBe(first.id);
    expect(conflictingContactId(new Error('other'))).toBeUndefined();
    expect(double.contacts().filter((c) => c.phone === phone)).toHaveLength(1);
  });

  it('400 with {error, message} on a bad phone, for create and search', async () => {
    const created = await externalFailure(
      client.createContact(contactInput('5511987654321'), { idempotencyKey: 'bad-1' }),
    );
    expect(created).toMatchObject({ status: 400, kind: 'permanent', code: 'bad_request' });
    expect(created.responseBody).toEqual({ error: 'bad_request', message: expect.stringContaining('phone') });
    const searched = await externalFailure(client.searchContactsByPhone('not-a-phone'));
    expect(searched).toMatchObject({ status: 400, kind: 'permanent' });
  });

  it('404 for an unknown contact on get, update and activity', async () => {
    for (const call of [
      client.getContact('ct_missing'),
      client.updateContact('ct_missing', { name: 'X', updated_at: '2026-11-23T08:00:00.000Z' }),
      client.createActivity('ct_missing', activityInput('hello'), { idempotencyKey: 'wa-msg:sales-01:404' }),
    ]) {
      const err = await externalFailure(call);
      expect(err).toMatchObject({ status: 404, kind: 'permanent', code: 'not_found' });
      expect(err.responseBody).toEqual({ error: 'not_found', message: expect.any(String) });
    }
  });

  it('a repeated Idempotency-Key replays the first answer and creates nothing new', async () => {
    const phone = newPhone();
    const key = `contact:${phone}`;
    const first = await client.createContact(contactInput(phone), { idempotencyKey: key });
    const again = await client.createContact(contactInput(phone, 'Someone Else'), { idempotencyKey: key });
    expect(again).toEqual(first);

    const body = activityInput('hi there');
    const a1 = await client.createActivity(first.id, body, { idempotencyKey: 'wa-msg:sales-01:REPLAY' });
    const a2 = await client.createActivity(first.id, body, { idempotencyKey: 'wa-msg:sales-01:REPLAY' });
    expect(a2.id).toBe(a1.id);

    expect(double.contacts().filter((c) => c.phone === phone)).toHaveLength(1);
    expect(double.activities().filter((a) => a.contact_id === first.id)).toHaveLength(1);
    const posts = double.requests().filter((r) => r.idempotencyKey === key || r.idempotencyKey?.endsWith('REPLAY'));
    expect(posts.map((r) => [r.status, r.replayed])).toEqual([
      [201, false],
      [201, true],
      [201, false],
      [201, true],
    ]);
  });

  it('401 with a wrong key; not counted by the rate limit', async () => {
    const wrong = createCrmClient(
      { SUPER_CRM_BASE_URL: double.baseUrl, SUPER_CRM_API_KEY: 'wrong-key', SUPER_CRM_TIMEOUT_MS: 1000 },
      logger,
    );
    const err = await externalFailure(wrong.searchContactsByPhone(newPhone()));
    expect(err).toMatchObject({ status: 401, kind: 'permanent', code: 'unauthorized' });
    expect(double.requests().at(-1)).toMatchObject({ status: 401, authenticated: false });
    expect(() => createCrmClient({ SUPER_CRM_BASE_URL: double.baseUrl, SUPER_CRM_TIMEOUT_MS: 1000 }, logger)).toThrow(
      /SUPER_CRM_API_KEY/,
    );
  });

  it('503, a timeout and a lost response are retryable; the retry of the lost write is replayed', async () => {
    double.injectFault({ type: 'unavailable', method: 'GET', path: '/contacts/search' });
    expect(await externalFailure(client.searchContactsByPhone(newPhone()))).toMatchObject({
      status: 503,
      kind: 'retryable',
    });

    double.injectFault({ type: 'delay', ms: 1500, path: '/contacts/search' });
    const timedOut = await externalFailure(client.searchContactsByPhone(newPhone()));
    expect(timedOut).toMatchObject({ kind: 'retryable', status: undefined });

    const phone = newPhone();
    double.injectFault({ type: 'drop-response-after-commit', method: 'POST', path: '/contacts' });
    const lost = await externalFailure(
      client.createContact(contactInput(phone), { idempotencyKey: `contact:${phone}` }),
    );
    expect(lost).toMatchObject({ kind: 'retryable', status: undefined });
    const committed = double.contacts().filter((c) => c.phone === phone);
    expect(committed).toHaveLength(1);

    const retried = await client.createContact(contactInput(phone), { idempotencyKey: `contact:${phone}` });
    expect(retried.id).toBe(committed[0]?.id);
    expect(double.contacts().filter((c) => c.phone === phone)).toHaveLength(1);
    expect(double.pendingFaults()).toBe(0);
  });

  it('an injected 422 is permanent and commits nothing', async () => {
    const phone = newPhone();
    const contact = await client.createContact(contactInput(phone), { idempotencyKey: `contact:${phone}` });
    double.injectFault({ type: 'status', status: 422, method: 'POST', path: '/contacts/:id/activities' });
    const before = double.activities().length;
    const err = await externalFailure(
      client.createActivity(contact.id, activityInput('refused'), { idempotencyKey: 'wa-msg:x:422' }),
    );
    expect(err).toMatchObject({ status: 422, kind: 'permanent' });
    expect(double.activities()).toHaveLength(before);
    expect(double.requests().at(-1)).toMatchObject({ status: 422, fault: 'status' });
    expect(double.pendingFaults()).toBe(0);
  });

  it('never logs the API key, names or message text', async () => {
    const phone = newPhone();
    const contact = await client.createContact(contactInput(phone, 'Secret Name'), {
      idempotencyKey: `contact:${phone}`,
    });
    await client.createActivity(contact.id, activityInput('very private words'), { idempotencyKey: 'wa-msg:x:LOG' });
    await externalFailure(client.createContact(contactInput(phone, 'Secret Name'), { idempotencyKey: 'log-409' }));
    const log = logLines.join('');
    expect(log).toContain('createActivity');
    expect(log).not.toContain(double.apiKey);
    expect(log).not.toContain('Secret Name');
    expect(log).not.toContain('very private words');
  });
});

describe('SuperCRM contract: the rate limit (429)', () => {
  let double: SuperCrmDouble;
  let client: CrmClient;

  beforeAll(async () => {
    double = createSuperCrmDouble({ rateLimit: { max: 2, windowMs: 60_000 } });
    const baseUrl = await double.listen();
    client = createCrmClient(
      { SUPER_CRM_BASE_URL: baseUrl, SUPER_CRM_API_KEY: double.apiKey, SUPER_CRM_TIMEOUT_MS: 1000 },
      logger,
    );
  });
  afterAll(() => double.close());

  it('answers 429 with Retry-After and X-RateLimit-Remaining: 0, counting the 429s too', async () => {
    await client.searchContactsByPhone(newPhone());
    await client.searchContactsByPhone(newPhone());
    const limited = await externalFailure(client.searchContactsByPhone(newPhone()));
    expect(limited).toMatchObject({ status: 429, kind: 'rate_limited', code: 'rate_limited' });
    expect(limited.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(60_000);

    const raw = await fetch(`${double.baseUrl}/contacts/search?phone=%2B5511987654321`, {
      headers: { authorization: `Bearer ${double.apiKey}` },
    });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(raw.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(await raw.json()).toEqual({ error: 'rate_limited', message: expect.any(String) });

    // Every authenticated request counts, the refused ones included.
    expect(double.maxRequestsInAnyWindow()).toBe(4);
  });

  it('an injected 429 has the same shape', async () => {
    const other = createSuperCrmDouble();
    const baseUrl = await other.listen();
    try {
      other.injectFault({ type: 'rate-limited', retryAfterSeconds: 7 });
      const raw = await fetch(`${baseUrl}/contacts/search?phone=%2B5511987654321`, {
        headers: { authorization: `Bearer ${other.apiKey}` },
      });
      expect(raw.status).toBe(429);
      expect(raw.headers.get('retry-after')).toBe('7');
      expect(raw.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(await raw.json()).toMatchObject({ error: 'rate_limited' });
    } finally {
      await other.close();
    }
  });
});
