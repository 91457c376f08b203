import { WUZAPI_FIXTURE_USER, wuzapiText } from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import { activityCounts, waitForActivities } from './support/crm-expectations.js';
import { useSystemStack } from './support/use-system-stack.js';
import { postEvolutionText, postWuzapiForm } from './support/webhooks.js';

describe('system: gateway webhooks through ingress and worker processes into the CRM', () => {
  const f = useSystemStack({ label: 'system-sync' });

  it('puts each message as one activity on the contact of its phone, creating unknown contacts once', async () => {
    const { stack, queues } = f;
    const { crm } = f.doubles;
    const known = crm.seedContact({ name: 'Ana Known', phone: '+5511911110001' });

    const evolution = [
      { id: 'SYS-EVO-1', phone: '5511911110001', text: 'Oi' },
      { id: 'SYS-EVO-2', phone: '5511922220002', text: 'Quero um orçamento', pushName: 'Bruno New' },
      { id: 'SYS-EVO-3', phone: '5511922220002', text: 'Pode ser amanhã?', pushName: 'Bruno New' },
    ];
    for (const message of evolution) expect(await postEvolutionText(stack.ingressUrl, message)).toBe(202);
    const wuzapi = wuzapiText({ id: 'SYS-WUZ-1', phone: '5511933330003', text: 'Olá pelo WUZAPI', pushName: 'Carla' });
    expect(await postWuzapiForm(stack.ingressUrl, wuzapi)).toBe(202);
    // A redelivery is acknowledged as a duplicate and changes nothing.
    expect(await postEvolutionText(stack.ingressUrl, evolution[0] as (typeof evolution)[0])).toBe(200);

    const ids = [...evolution.map((m) => m.id), 'SYS-WUZ-1'];
    await waitForActivities(crm, ids);
    await queues.waitUntilIdle();

    const contactOf = (phone: string) => crm.contacts().find((c) => c.phone === phone);
    const activityOf = (id: string) => crm.activities().find((a) => a.metadata.message_id === id);
    expect(activityOf('SYS-EVO-1')?.contact_id).toBe(known.id);
    const bruno = contactOf('+5511922220002');
    expect(bruno?.name).toBe('Bruno New');
    expect(activityOf('SYS-EVO-2')?.contact_id).toBe(bruno?.id);
    expect(activityOf('SYS-EVO-3')?.contact_id).toBe(bruno?.id);
    expect(activityOf('SYS-EVO-2')).toMatchObject({
      type: 'whatsapp_message',
      direction: 'inbound',
      metadata: { instance: 'sales-01' },
    });
    const wuzapiActivity = activityOf('SYS-WUZ-1');
    expect(wuzapiActivity?.contact_id).toBe(contactOf('+5511933330003')?.id);
    expect(wuzapiActivity?.metadata.instance).toBe(WUZAPI_FIXTURE_USER.instanceName);

    expect(crm.contacts()).toHaveLength(3);
    expect([...activityCounts(crm).values()]).toEqual([1, 1, 1, 1]);
  });
});
