import { type Config, canonicalPhone } from '@zaprelay/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createContactNames, enqueueContactUpsert, enqueueMessageActivity } from '../src/crm/index.js';
import { type CrmHarness, message, startCrmHarness } from './crm-harness.js';

let h: CrmHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const FAST = { max: 1000, windowMs: 1000 };
const wire = (harness: CrmHarness) => harness.double.requests().map((r) => `${r.method} ${r.path} ${r.status}`);
const searchedPhones = (harness: CrmHarness) =>
  harness.double
    .requests()
    .filter((r) => r.path === '/contacts/search')
    .map((r) => new URLSearchParams(r.query).getAll('phone'));

let serial = 0;
/** A DDD 41 mobile in both spellings: what an agent types and what WhatsApp's JIDs carry. */
function brMobile() {
  const subscriber = String(91_000_000 + serial++);
  return { typed: `+55419${subscriber}`, jid: `+5541${subscriber}` };
}

describe('one contact per person, whatever the ninth digit (issue 10, point 1)', () => {
  it('a reply from the 12-digit JID lands on the contact the agent created with 13 digits, found by one search', async () => {
    h = await startCrmHarness({ rateLimit: FAST });
    const { typed, jid } = brMobile();
    const agents = h.double.seedContact({ name: 'Cliente do agente', phone: typed });

    await enqueueMessageActivity(h.crmQueue, message(jid, { text: 'Oi, recebi' }));
    await h.settled(1);
    await enqueueMessageActivity(h.crmQueue, message(typed, { direction: 'outbound', contactName: undefined }));
    await enqueueMessageActivity(h.crmQueue, message(jid));
    await h.settled(3);

    expect(h.double.contacts()).toHaveLength(1);
    expect(h.double.activities().map((a) => a.contact_id)).toEqual([agents.id, agents.id, agents.id]);
    // One search, both forms; then both forms hit the cache.
    expect(searchedPhones(h)).toEqual([[typed, jid]]);
    expect(wire(h).filter((w) => w.startsWith('GET'))).toHaveLength(1);
  });

  it('a new person writing from a 12-digit JID gets a contact in the 13-digit form', async () => {
    h = await startCrmHarness({ rateLimit: FAST });
    const { typed, jid } = brMobile();
    await enqueueMessageActivity(h.crmQueue, message(jid, { contactName: 'Joana' }));
    await h.settled(1);
    expect(h.double.contacts()).toEqual([expect.objectContaining({ phone: typed, name: 'Joana' })]);
    const [created] = h.double.requests().filter((r) => r.method === 'POST' && r.path === '/contacts');
    expect(created?.idempotencyKey).toBe(`contact:${typed}`);
  });

  it('landlines and other countries are searched and created as they are', async () => {
    h = await startCrmHarness({ rateLimit: FAST });
    const landline = '+554132221111';
    const portugal = '+351912345678';
    await enqueueMessageActivity(h.crmQueue, message(landline));
    await enqueueMessageActivity(h.crmQueue, message(portugal));
    await h.settled(2);
    expect(searchedPhones(h).sort()).toEqual([[landline], [portugal]].sort());
    expect(
      h.double
        .contacts()
        .map((c) => c.phone)
        .sort(),
    ).toEqual([landline, portugal].sort());
  });
});

describe("agents' names win (issue 10, point 2)", () => {
  const names = (harness: CrmHarness) => createContactNames(harness.redis, harness.config as Config);

  it("a later WhatsApp name replaces the one zaprelay wrote, never an agent's edit; no PUT when nothing would change", async () => {
    h = await startCrmHarness({ rateLimit: FAST });
    const { typed, jid } = brMobile();
    await enqueueContactUpsert(h.crmQueue, { phone: jid, name: 'Ana' });
    await h.settled(1);
    const [contact] = h.double.contacts();
    if (!contact) throw new Error('no contact');
    expect(contact).toMatchObject({ phone: typed, name: 'Ana' });

    await enqueueContactUpsert(h.crmQueue, { phone: jid, name: 'Ana' }); // the same name again: no request
    await h.settled(2);
    await enqueueContactUpsert(h.crmQueue, { phone: typed, name: 'Ana Paula' }); // still ours: renamed
    await h.settled(3);
    expect(h.double.contacts()[0]?.name).toBe('Ana Paula');

    h.double.editContactAsAgent(contact.id, { name: 'Dona Ana (VIP)' });
    await enqueueContactUpsert(h.crmQueue, { phone: jid, name: 'Aninha' }); // a pushName after the agent's edit
    await h.settled(4);
    await enqueueContactUpsert(h.crmQueue, { phone: jid, name: 'Aninha 2' }); // we know now: not even a GET
    await h.settled(5);
    expect(h.double.contacts()[0]?.name).toBe('Dona Ana (VIP)');
    expect(wire(h)).toEqual([
      'GET /contacts/search 200',
      'POST /contacts 201',
      `GET /contacts/${contact.id} 200`,
      `PUT /contacts/${contact.id} 200`,
      `GET /contacts/${contact.id} 200`,
    ]);
    expect(await names(h).written(contact.id)).toBeUndefined();
  });

  it("a contact zaprelay did not create keeps its name; a search that shows an agent's name costs no PUT", async () => {
    h = await startCrmHarness({ rateLimit: FAST });
    const agents = h.double.seedContact({ name: 'Sr. Carlos', phone: canonicalPhone('+554191234999') });
    await enqueueContactUpsert(h.crmQueue, { phone: '+554191234999', name: 'Carlão' });
    await h.settled(1);
    expect(h.double.contacts()).toEqual([expect.objectContaining({ id: agents.id, name: 'Sr. Carlos' })]);
    expect(wire(h)).toEqual(['GET /contacts/search 200']);
  });
});
