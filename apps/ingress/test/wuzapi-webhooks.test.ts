import { createHmac } from 'node:crypto';
import {
  capturingLogger,
  WUZAPI_FIXTURE_USER,
  wuzapiFormBody,
  wuzapiImage,
  wuzapiJsonBody,
  wuzapiLegacyFormBody,
  wuzapiReadReceipt,
  wuzapiText,
} from '@zaprelay/test-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngress, type Ingress, SECRETS } from './ingress-harness.js';

const FORM = 'application/x-www-form-urlencoded';
const sign = (body: string) => createHmac('sha256', SECRETS.WUZAPI_HMAC_KEY).update(body).digest('hex');

describe('POST /webhooks/wuzapi', () => {
  let ingress: Ingress;
  beforeEach(async () => {
    ingress = await buildIngress();
  });
  afterEach(() => ingress.close());

  const post = (payload: string, headers: Record<string, string>, url = '/webhooks/wuzapi') =>
    ingress.app.inject({ method: 'POST', url, headers, payload });

  it('stores a form-encoded message signed over its raw bytes, identity with the job', async () => {
    const body = wuzapiFormBody(wuzapiText({ id: 'WUZ-1', text: 'Oi' }));
    const res = await post(body, { 'content-type': FORM, 'x-hmac-signature': sign(body) });
    expect(res.statusCode).toBe(202);
    const [job] = await ingress.storedEvents();
    expect(job).toMatchObject({
      source: 'wuzapi',
      event: 'Message',
      instance: WUZAPI_FIXTURE_USER.instanceName,
      auth: { userID: WUZAPI_FIXTURE_USER.userID, instanceName: WUZAPI_FIXTURE_USER.instanceName },
      payload: { jsonData: { type: 'Message', event: { Info: { ID: 'WUZ-1' } } } },
    });
  });

  it('refuses a body whose bytes differ from what was signed, even by one', async () => {
    const body = wuzapiFormBody(wuzapiText({ id: 'WUZ-2' }));
    const tampered = body.replace('WUZ-2', 'WUZ-3');
    const res = await post(tampered, { 'content-type': FORM, 'x-hmac-signature': sign(body) });
    expect(res.statusCode).toBe(401);
    expect(await ingress.storedEvents()).toHaveLength(0);
  });

  it('accepts the shared token as ?token=, x-webhook-token or the legacy token field', async () => {
    const body = () => wuzapiFormBody(wuzapiText());
    expect(
      (await post(body(), { 'content-type': FORM }, `/webhooks/wuzapi?token=${SECRETS.WUZAPI_WEBHOOK_TOKEN}`))
        .statusCode,
    ).toBe(202);
    expect(
      (await post(body(), { 'content-type': FORM, 'x-webhook-token': SECRETS.WUZAPI_WEBHOOK_TOKEN })).statusCode,
    ).toBe(202);
    const legacy = wuzapiLegacyFormBody(wuzapiText(), SECRETS.WUZAPI_WEBHOOK_TOKEN);
    expect((await post(legacy, { 'content-type': FORM })).statusCode).toBe(202);
    expect((await post(body(), { 'content-type': FORM }, '/webhooks/wuzapi?token=wrong')).statusCode).toBe(401);
  });

  it('never writes the ?token= secret to the log', async () => {
    const { logger, lines } = capturingLogger('info');
    const logged = await buildIngress({}, undefined, logger);
    try {
      const url = `/webhooks/wuzapi?token=${SECRETS.WUZAPI_WEBHOOK_TOKEN}`;
      const res = await logged.app.inject({ method: 'POST', url, headers: { 'content-type': FORM }, payload: '' });
      expect(res.statusCode).toBe(400);
      expect(lines.some((l) => l.includes('"url":"/webhooks/wuzapi"'))).toBe(true);
      expect(lines.join('\n')).not.toContain(SECRETS.WUZAPI_WEBHOOK_TOKEN);
    } finally {
      await logged.close();
    }
  });

  it('takes the form media type in any letter case', async () => {
    const body = wuzapiFormBody(wuzapiText({ id: 'WUZ-CASE' }));
    const res = await post(body, {
      'content-type': 'Application/X-WWW-Form-Urlencoded',
      'x-hmac-signature': sign(body),
    });
    expect(res.statusCode).toBe(202);
    expect(await ingress.storedEvents()).toMatchObject([
      { payload: { jsonData: { event: { Info: { ID: 'WUZ-CASE' } } } } },
    ]);
  });

  it('maps a legacy token to its configured instance, and never stores the token in the job', async () => {
    const app = await buildIngress({ WUZAPI_USER_TOKENS: `shop:${SECRETS.WUZAPI_WEBHOOK_TOKEN}` });
    try {
      const legacy = wuzapiLegacyFormBody(wuzapiText(), SECRETS.WUZAPI_WEBHOOK_TOKEN);
      await app.app.inject({
        method: 'POST',
        url: '/webhooks/wuzapi',
        headers: { 'content-type': FORM },
        payload: legacy,
      });
      const [stored] = await app.storedEvents();
      expect(stored).toMatchObject({ instance: 'shop' });
      expect(JSON.stringify(stored)).not.toContain(SECRETS.WUZAPI_WEBHOOK_TOKEN);
    } finally {
      await app.close();
    }
  });

  it('takes the JSON format too, and absorbs a redelivery', async () => {
    const body = wuzapiJsonBody(wuzapiText({ id: 'WUZ-JSON' }));
    const headers = { 'content-type': 'application/json', 'x-hmac-signature': sign(body) };
    expect((await post(body, headers)).statusCode).toBe(202);
    const again = await post(body, headers);
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe('duplicate');
    expect(await ingress.storedEvents()).toHaveLength(1);
  });

  it('stores receipts and strips inline media', async () => {
    const receipt = wuzapiFormBody(wuzapiReadReceipt());
    expect((await post(receipt, { 'content-type': FORM, 'x-hmac-signature': sign(receipt) })).statusCode).toBe(202);
    const image = wuzapiFormBody(wuzapiImage({ base64: Buffer.alloc(100_000, 3).toString('base64') }));
    expect((await post(image, { 'content-type': FORM, 'x-hmac-signature': sign(image) })).statusCode).toBe(202);
    const stored = await ingress.storedEvents();
    expect(stored.map((j) => j.event)).toEqual(['ReadReceipt', 'Message']);
    expect(JSON.stringify(stored[1]).length).toBeLessThan(4096);
  });

  it('400 with issues when jsonData is not JSON', async () => {
    const body = 'jsonData=%7Bnot-json&userID=abc&instanceName=x';
    const res = await post(body, { 'content-type': FORM, 'x-hmac-signature': sign(body) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_payload', issues: [{ path: 'jsonData' }] });
  });

  it('202 ignored for types it does not handle (history syncs)', async () => {
    const body = wuzapiFormBody({ type: 'HistorySync', event: {} });
    const res = await post(body, { 'content-type': FORM, 'x-hmac-signature': sign(body) });
    expect(res.json()).toEqual({ status: 'ignored' });
  });
});
