import { signSuperCrm, superCrmContactUpdated, superCrmSendRequested } from '@zaprelay/test-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngress, type Ingress, SECRETS } from './ingress-harness.js';

describe('POST /webhooks/supercrm', () => {
  let ingress: Ingress;
  beforeEach(async () => {
    ingress = await buildIngress();
  });
  afterEach(() => ingress.close());

  const post = (raw: string, headers: Record<string, string>) =>
    ingress.app.inject({
      method: 'POST',
      url: '/webhooks/supercrm',
      headers: { 'content-type': 'application/json', ...headers },
      payload: raw,
    });

  it('stores a signed send request once, however often it is redelivered', async () => {
    const raw = JSON.stringify(superCrmSendRequested({ id: 'evt_1' }));
    const headers = { ...signSuperCrm(SECRETS.SUPER_CRM_WEBHOOK_SECRET, undefined, raw) };
    expect((await post(raw, headers)).statusCode).toBe(202);
    expect((await post(raw, headers)).json()).toMatchObject({ status: 'duplicate' });
    const stored = await ingress.storedEvents();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ source: 'supercrm', event: 'message.send_requested', payload: { id: 'evt_1' } });
  });

  it('401 for a bad signature, a stale timestamp or no signature', async () => {
    const raw = JSON.stringify(superCrmContactUpdated());
    const stale = Math.floor(Date.now() / 1000) - 301;
    expect((await post(raw, signSuperCrm('wrong-secret', undefined, raw) as never)).statusCode).toBe(401);
    expect((await post(raw, signSuperCrm(SECRETS.SUPER_CRM_WEBHOOK_SECRET, stale, raw) as never)).statusCode).toBe(401);
    expect((await post(raw, {})).statusCode).toBe(401);
    expect(await ingress.storedEvents()).toHaveLength(0);
  });
});
