import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  evolutionImage,
  evolutionLidText,
  evolutionText,
  goFormEncode,
  signSuperCrm,
  superCrmSendRequested,
  WUZAPI_FIXTURE_USER,
  wuzapiFormBody,
  wuzapiImage,
  wuzapiJsonBody,
  wuzapiLegacyFormBody,
  wuzapiText,
} from '../src/index.js';

describe('gateway fixtures', () => {
  it('build Evolution envelopes with overrides', () => {
    const e = evolutionText({ instance: 'i1', id: 'ABC', phone: '+5511911112222', text: 'oi', apikey: 'k' });
    expect(Object.keys(e).sort()).toEqual(
      ['apikey', 'data', 'date_time', 'destination', 'event', 'instance', 'sender', 'server_url'].sort(),
    );
    expect(e).toMatchObject({ event: 'messages.upsert', instance: 'i1', apikey: 'k' });
    expect(e.data.key).toEqual({ remoteJid: '5511911112222@s.whatsapp.net', fromMe: false, id: 'ABC' });
    expect(e.data.message).toMatchObject({ conversation: 'oi' });
    expect(evolutionImage({ base64: 'AAAA' }).data.message).toMatchObject({ base64: 'AAAA' });
    expect(evolutionLidText({ withPhone: false }).data.key).not.toHaveProperty('remoteJidAlt');
  });

  it('encode WUZAPI bodies the way Go does, readable by a form parser', () => {
    const jsonData = wuzapiText({ text: 'a b&c <x>' });
    const body = wuzapiFormBody(jsonData);
    expect(body.startsWith('instanceName=')).toBe(true);
    const form = new URLSearchParams(body);
    expect(form.get('userID')).toBe(WUZAPI_FIXTURE_USER.userID);
    expect(form.get('jsonData')).toContain('\\u003cx\\u003e');
    expect(JSON.parse(form.get('jsonData') ?? '')).toEqual(JSON.parse(JSON.stringify(jsonData)));
    expect(new URLSearchParams(wuzapiLegacyFormBody(jsonData, 'tok')).get('token')).toBe('tok');
    expect(goFormEncode({ b: "it's (1)*", a: '~' })).toBe('a=~&b=it%27s+%281%29%2A');
    const json = JSON.parse(wuzapiJsonBody(wuzapiImage()));
    expect(json).toMatchObject({ type: 'Message', userID: WUZAPI_FIXTURE_USER.userID, mimeType: 'image/jpeg' });
    expect(typeof json.base64).toBe('string');
  });

  it('sign SuperCRM events over "<timestamp>.<raw body>"', () => {
    const raw = JSON.stringify(superCrmSendRequested({ id: 'evt_1' }));
    const h = signSuperCrm('s3cret', 1_795_356_191, raw);
    const expected = createHmac('sha256', 's3cret').update(`1795356191.${raw}`).digest('hex');
    expect(h).toEqual({ 'x-supercrm-timestamp': '1795356191', 'x-supercrm-signature': `sha256=${expected}` });
  });
});
