import { MAX_SEND_TEXT_LENGTH } from '@zaprelay/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngress, type Ingress, json, SECRETS } from './ingress-harness.js';

const bearer = { authorization: `Bearer ${SECRETS.API_TOKEN}` };

/** The worker refuses a CRM send over the same limit with a `[not sent]` activity (apps/worker/test/agent-sends.test.ts). */
describe('/api/messages: the one gateway text limit', () => {
  let ingress: Ingress;
  beforeEach(async () => {
    ingress = await buildIngress();
  });
  afterEach(() => ingress.close());

  it(`accepts ${MAX_SEND_TEXT_LENGTH} characters and refuses one more with 400 naming the text`, async () => {
    const send = (text: string) =>
      ingress.app.inject({ url: '/api/messages', ...json({ instance: 'i', to: '+5541991234567', text }, bearer) });
    expect((await send('x'.repeat(MAX_SEND_TEXT_LENGTH))).statusCode).toBe(202);
    const over = await send('x'.repeat(MAX_SEND_TEXT_LENGTH + 1));
    expect(over.statusCode).toBe(400);
    expect(over.json().issues).toEqual([
      { path: 'text', message: expect.stringContaining(String(MAX_SEND_TEXT_LENGTH)) },
    ]);
  });
});
