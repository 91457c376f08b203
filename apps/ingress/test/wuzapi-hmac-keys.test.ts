import { createHmac } from 'node:crypto';
import { wuzapiFormBody, wuzapiJsonBody, wuzapiText } from '@zaprelay/test-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngress, type Ingress, SECRETS } from './ingress-harness.js';

const FORM = 'application/x-www-form-urlencoded';
const sign = (key: string, body: string) => createHmac('sha256', key).update(body).digest('hex');
const SECOND_KEY = 'second-user-key-0123456789abcdef';

describe('POST /webhooks/wuzapi with one HMAC key per user (WUZAPI_HMAC_KEYS)', () => {
  let ingress: Ingress;
  beforeEach(async () => {
    // No shared token: a signature is the only way in.
    ingress = await buildIngress({ WUZAPI_WEBHOOK_TOKEN: '', WUZAPI_HMAC_KEYS: `Loja-B:${SECOND_KEY}` });
  });
  afterEach(() => ingress.close());

  const post = (payload: string, headers: Record<string, string>) =>
    ingress.app.inject({ method: 'POST', url: '/webhooks/wuzapi', headers, payload });

  it("verifies a second user's webhooks with that user's own key, whatever the case of its name", async () => {
    const form = wuzapiFormBody(wuzapiText({ id: 'B-1' }), { instanceName: 'loja-b' });
    expect((await post(form, { 'content-type': FORM, 'x-hmac-signature': sign(SECOND_KEY, form) })).statusCode).toBe(
      202,
    );
    const json = wuzapiJsonBody(wuzapiText({ id: 'B-2' }), { instanceName: 'LOJA-B' });
    const res = await post(json, { 'content-type': 'application/json', 'x-hmac-signature': sign(SECOND_KEY, json) });
    expect(res.statusCode).toBe(202);
    expect((await ingress.storedEvents()).map((e) => e.instance)).toEqual(['loja-b', 'LOJA-B']);
  });

  it('keeps the global key for users without their own, and refuses a key used for another user', async () => {
    const first = wuzapiFormBody(wuzapiText({ id: 'A-1' }), { instanceName: 'loja-a' });
    expect(
      (await post(first, { 'content-type': FORM, 'x-hmac-signature': sign(SECRETS.WUZAPI_HMAC_KEY, first) }))
        .statusCode,
    ).toBe(202);
    // The global key does not open a user that has its own.
    const forged = wuzapiFormBody(wuzapiText({ id: 'B-3' }), { instanceName: 'loja-b' });
    expect(
      (await post(forged, { 'content-type': FORM, 'x-hmac-signature': sign(SECRETS.WUZAPI_HMAC_KEY, forged) }))
        .statusCode,
    ).toBe(401);
    expect((await ingress.storedEvents()).map((e) => e.instance)).toEqual(['loja-a']);
  });
});
