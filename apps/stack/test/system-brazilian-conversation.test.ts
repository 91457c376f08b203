import {
  evolutionContactsUpdate,
  evolutionOutboundUpsert,
  evolutionSendMessage,
  evolutionText,
  superCrmSendRequested,
  waitFor,
} from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import { waitForActivities } from './support/crm-expectations.js';
import { postSuperCrm, STACK_SUPERCRM_WEBHOOK_SECRET } from './support/supercrm-webhooks.js';
import { useSystemStack } from './support/use-system-stack.js';
import { postEvolution } from './support/webhooks.js';

const now = () => Math.floor(Date.now() / 1000);

/**
 * Issue 10: a Brazilian conversation through the real ingress and worker
 * processes. The agent writes +55 41 9xxxx-xxxx; Evolution and WhatsApp call
 * the same person 5541xxxxxxxx (no ninth digit). The CRM must end with one
 * contact and every message on it, in order; and an agent's name must survive
 * the customer's WhatsApp name.
 */
describe('system: a Brazilian conversation (the ninth digit, agents’ names)', () => {
  const f = useSystemStack({ label: 'system-br', env: { SUPER_CRM_WEBHOOK_SECRET: STACK_SUPERCRM_WEBHOOK_SECRET } });

  it('agent send, echo with the 12-digit JID, reply, a second device: one contact, every activity on it, in order', async () => {
    const { stack, queues } = f;
    const { crm, evolution } = f.doubles;
    const lucia = crm.seedContact({ name: 'Dona Lúcia', phone: '+5541991234567' });

    // 1. The agent sends from the CRM (no instance named: the configured default).
    const ask = superCrmSendRequested({
      contactId: lucia.id,
      phone: lucia.phone,
      text: 'Olá! Sua proposta está pronta.',
    });
    expect(await postSuperCrm(stack.ingressUrl, ask)).toBe(202);
    await waitFor('the send', () => evolution.sent.length === 1, 30_000);
    const [sent] = evolution.sent;
    if (!sent) throw new Error('nothing sent');
    expect(sent).toMatchObject({ instance: 'sales-01', number: '5541991234567' });
    expect(sent.remoteJid).toBe('554191234567@s.whatsapp.net'); // Evolution's rewrite
    await waitForActivities(crm, [sent.messageId]);

    // 2. Evolution's echo of that send, with the 12-digit JID.
    const echo = evolutionSendMessage({
      id: sent.messageId,
      remoteJid: sent.remoteJid,
      text: sent.text,
      timestamp: now(),
    });
    expect(await postEvolution(stack.ingressUrl, echo)).toBe(202);
    // 3. The customer replies (12-digit JID, her WhatsApp name).
    const reply = evolutionText({
      id: 'BR-REPLY-1',
      remoteJid: sent.remoteJid,
      pushName: 'Lu',
      text: 'Obrigada! Vou ver.',
      timestamp: now(),
    });
    expect(await postEvolution(stack.ingressUrl, reply)).toBe(202);
    await waitForActivities(crm, ['BR-REPLY-1']);
    // 4. Someone answers from the phone itself (a second device): fromMe, 12-digit JID.
    const typed = evolutionOutboundUpsert({
      id: 'BR-PHONE-1',
      remoteJid: sent.remoteJid,
      text: 'Qualquer dúvida me chame.',
      timestamp: now(),
    });
    expect(await postEvolution(stack.ingressUrl, typed)).toBe(202);
    await waitForActivities(crm, ['BR-PHONE-1']);
    await queues.waitUntilIdle();

    expect(crm.contacts()).toEqual([
      expect.objectContaining({ id: lucia.id, phone: '+5541991234567', name: 'Dona Lúcia' }),
    ]);
    expect(crm.activities().map((a) => [a.contact_id, a.direction, a.metadata.message_id])).toEqual([
      [lucia.id, 'outbound', sent.messageId],
      [lucia.id, 'inbound', 'BR-REPLY-1'],
      [lucia.id, 'outbound', 'BR-PHONE-1'],
    ]);
    expect(await queues.crm.getJobCounts('failed')).toEqual({ failed: 0 });
  }, 90_000);

  it("a new customer's WhatsApp name names the contact, until an agent renames it: a later pushName changes nothing", async () => {
    const { stack, queues } = f;
    const { crm } = f.doubles;
    const jid = '554198887777@s.whatsapp.net';
    const first = evolutionText({
      id: 'BR-NEW-1',
      remoteJid: jid,
      pushName: 'Rafa',
      text: 'Bom dia',
      timestamp: now(),
    });
    expect(await postEvolution(stack.ingressUrl, first)).toBe(202);
    await waitForActivities(crm, ['BR-NEW-1']);
    const contact = crm.contacts().find((c) => c.phone === '+5541998887777'); // created with 13 digits
    expect(contact?.name).toBe('Rafa');
    if (!contact) throw new Error('no contact');

    // WhatsApp's name changes while the CRM still holds the one zaprelay wrote: it follows.
    const renamed = evolutionContactsUpdate({ contacts: [{ remoteJid: jid, pushName: 'Rafa Oficial' }] });
    expect(await postEvolution(stack.ingressUrl, renamed)).toBe(202);
    await waitFor(
      'the WhatsApp name',
      () => crm.contacts().find((c) => c.id === contact.id)?.name === 'Rafa Oficial',
      30_000,
    );

    // An agent renames the contact; the customer's next WhatsApp name must not undo it.
    crm.editContactAsAgent(contact.id, { name: 'Rafael Souza (fornecedor)' });
    const later = evolutionContactsUpdate({ contacts: [{ remoteJid: jid, pushName: 'Rafa 🚀' }] });
    expect(await postEvolution(stack.ingressUrl, later)).toBe(202);
    await queues.waitUntilIdle();
    expect(crm.contacts().find((c) => c.id === contact.id)?.name).toBe('Rafael Souza (fornecedor)');
    expect(
      crm.contacts().filter((c) => c.phone.startsWith('+554199888') || c.phone.startsWith('+55419888')),
    ).toHaveLength(1);
  }, 90_000);
});
