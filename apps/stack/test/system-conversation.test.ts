import {
  evolutionContactsUpsert,
  evolutionEdit,
  evolutionLidText,
  evolutionMessageDelete,
  evolutionRevoke,
  evolutionText,
  waitFor,
} from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import { activityCounts, waitForActivities } from './support/crm-expectations.js';
import { STACK_SECRETS } from './support/system-env.js';
import { useSystemStack } from './support/use-system-stack.js';
import { postEvolution, postEvolutionText } from './support/webhooks.js';

/** Unix seconds: Evolution's messageTimestamp. */
const T = Math.floor(Date.parse('2026-11-22T14:03:11Z') / 1000);

describe('system: the CRM’s view of each conversation, through ingress and worker processes', () => {
  // 600 requests a minute: an address book of 300 new numbers (600 requests) keeps the CRM busy for a minute.
  const f = useSystemStack({ label: 'system-conversation', env: { SUPER_CRM_RATE_LIMIT_MAX: '600' } });
  const activitiesOf = (ids: string[]) =>
    f.doubles.crm.activities().filter((a) => ids.includes(String(a.metadata.message_id)));

  it('a live message behind an address-book flood reaches the CRM within a few requests', async () => {
    const { crm } = f.doubles;
    const book = Array.from({ length: 300 }, (_, i) => ({
      phone: `554198${String(i).padStart(7, '0')}`,
      pushName: `Contato ${i}`,
    }));
    expect(await postEvolution(f.stack.ingressUrl, evolutionContactsUpsert({ contacts: book }))).toBe(202);
    await waitFor('the address book being upserted', () => crm.requests().length >= 20, 30_000, 50);

    const known = crm.seedContact({ name: 'Cliente Antigo', phone: '+5511944440001' });
    const before = crm.requests().length;
    expect(await postEvolutionText(f.stack.ingressUrl, { id: 'LIVE-1', phone: '5511944440001', text: 'Oi?' })).toBe(
      202,
    );
    await waitForActivities(crm, ['LIVE-1'], 20_000);
    const at = crm.requests().findIndex((r) => r.method === 'POST' && r.path === `/contacts/${known.id}/activities`);
    // Behind it were ~550 upsert requests; it went after the few sent while the webhook went through the ingress
    // and the events worker (one per ~100 ms), and its own search.
    expect(at - before).toBeLessThan(40);
    expect(crm.contacts().length).toBeLessThan(200);
  });

  it('a burst from one chat with 503s on the way lands in the order sent, numbered for the CRM', async () => {
    const { crm } = f.doubles;
    const burst = [T, T, T, T + 1, T + 1, T + 2].map((timestamp, n) => ({ id: `BURST-${n}`, timestamp }));
    crm.injectFault({ type: 'status', status: 503, method: 'POST', path: '/contacts/:id/activities', times: 3 });
    for (const m of burst) {
      const body = evolutionText({ id: m.id, phone: '5511955550001', text: `parte ${m.id}`, timestamp: m.timestamp });
      expect(await postEvolution(f.stack.ingressUrl, body)).toBe(202);
    }
    const ids = burst.map((m) => m.id);
    await waitForActivities(crm, ids, 60_000);
    const landed = activitiesOf(ids);
    expect(landed.map((a) => a.metadata.message_id)).toEqual(ids);
    const seqs = landed.map((a) => Number(a.metadata.chat_seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(landed.map((a) => a.timestamp)).toEqual(burst.map((m) => new Date(m.timestamp * 1000).toISOString()));
    expect(crm.requests().filter((r) => r.status === 503).length).toBe(3);
  });

  it('an edit and a deletion become one activity each, after the message, naming it', async () => {
    const { crm } = f.doubles;
    const phone = '5511977770001';
    const post = (body: object) => postEvolution(f.stack.ingressUrl, body);
    expect(await post(evolutionText({ id: 'ORIG-1', phone, text: 'Quero 3 caixas', timestamp: T }))).toBe(202);
    expect(
      await post(
        evolutionEdit({ id: 'EDIT-1', originalId: 'ORIG-1', phone, text: 'Quero 4 caixas', timestamp: T + 5 }),
      ),
    ).toBe(202);
    expect(await post(evolutionRevoke({ id: 'REVOKE-1', originalId: 'ORIG-1', phone, timestamp: T + 9 }))).toBe(202);
    // Evolution also reports the deletion as messages.delete: still one [deleted].
    expect(await post(evolutionMessageDelete({ id: 'ORIG-1', phone }))).toBe(202);

    const ids = ['ORIG-1', 'ORIG-1:edited:EDIT-1', 'ORIG-1:deleted'];
    await waitForActivities(crm, ids, 30_000);
    // Every webhook handled (the address book may still be going on in the CRM queue, not in the events queue).
    const { events } = f.queues;
    const eventsLeft = async () =>
      Object.values(await events.getJobCounts('wait', 'active', 'delayed', 'prioritized')).reduce((a, b) => a + b, 0);
    await waitFor('every webhook handled', async () => (await eventsLeft()) === 0, 10_000, 50);
    const landed = activitiesOf(ids);
    expect(landed.map((a) => [a.metadata.message_id, a.description, a.metadata.original_message_id])).toEqual([
      ['ORIG-1', 'Quero 3 caixas', undefined],
      ['ORIG-1:edited:EDIT-1', '[edited] Quero 4 caixas', 'ORIG-1'],
      ['ORIG-1:deleted', '[deleted]', 'ORIG-1'],
    ]);
    expect(ids.map((id) => activityCounts(crm).get(id))).toEqual([1, 1, 1]);
    expect(new Set(landed.map((a) => a.contact_id)).size).toBe(1);
  });

  it('an @lid chat without its phone waits visibly, then lands on the right contact once the pair is known', async () => {
    const { crm } = f.doubles;
    const lid = '99887766554433@lid';
    const lidStatus = async () => {
      const res = await fetch(`${f.stack.ingressUrl}/api/status`, {
        headers: { authorization: `Bearer ${STACK_SECRETS.API_TOKEN}` },
      });
      return ((await res.json()) as { lidWaiting?: number }).lidWaiting;
    };
    const first = evolutionLidText({ id: 'LID-1', lid, withPhone: false, text: 'oi', timestamp: T });
    expect(await postEvolution(f.stack.ingressUrl, first)).toBe(202);
    await waitFor('the @lid message counted as waiting', async () => (await lidStatus()) === 1, 20_000, 100);
    expect(activitiesOf(['LID-1'])).toEqual([]);

    const second = evolutionLidText({
      id: 'LID-2',
      lid,
      withPhone: true,
      phone: '5511966660001',
      text: 'sou eu',
      timestamp: T + 1,
    });
    expect(await postEvolution(f.stack.ingressUrl, second)).toBe(202);
    await waitForActivities(crm, ['LID-1', 'LID-2'], 30_000);
    const contact = crm.contacts().find((c) => c.phone === '+5511966660001');
    expect(activitiesOf(['LID-1', 'LID-2']).map((a) => [a.metadata.message_id, a.contact_id])).toEqual([
      ['LID-1', contact?.id],
      ['LID-2', contact?.id],
    ]);
    expect(await lidStatus()).toBe(0);
  });
});
