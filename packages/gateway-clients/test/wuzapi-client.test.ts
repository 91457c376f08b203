import { createLogger, loadConfig } from '@zaprelay/core';
import { createWuzapiDouble, type WuzapiDouble } from '@zaprelay/test-kit';
import { externalFailure } from '@zaprelay/test-kit/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWuzapiClient, isSendOutcomeUnknown } from '../src/index.js';

const TOKEN = 'wuz-user-token-1';
const logger = createLogger({ LOG_LEVEL: 'silent' });

describe('WUZAPI client against the WUZAPI double', () => {
  let double: WuzapiDouble;
  const client = () => createWuzapiClient(loadConfig({ WUZAPI_API_URL: double.url, WUZAPI_TIMEOUT_MS: '500' }), logger);

  beforeAll(async () => {
    double = createWuzapiDouble({ users: { [TOKEN]: 'shop' } });
    await double.listen();
  });
  afterAll(() => double.close());

  it('sends with our own Id and gets it back', async () => {
    const sent = await client().sendText(TOKEN, {
      phone: '5511987654321',
      body: 'hello',
      id: '3EB0AAAAAAAAAAAAAAAAAA',
    });
    expect(sent.messageId).toBe('3EB0AAAAAAAAAAAAAAAAAA');
    expect(sent.timestampMs).toBeGreaterThan(0);
    expect(double.sent.at(-1)).toMatchObject({ user: 'shop', phone: '5511987654321', body: 'hello' });
  });

  it('sends a repeated Id only once, even when the first answer was lost', async () => {
    const input = { phone: '5511987654321', body: 'once', id: '3EB0BBBBBBBBBBBBBBBBBB' };
    double.injectFault({ kind: 'drop-after-commit' });
    const dropped = await externalFailure(client().sendText(TOKEN, input));
    expect(isSendOutcomeUnknown(dropped)).toBe(true);
    const again = await client().sendText(TOKEN, input);
    expect(again.messageId).toBe(input.id);
    expect(double.sent.filter((s) => s.messageId === input.id)).toHaveLength(1);
  });

  it('classifies a wrong token and a bad payload as permanent, a 503 as retryable', async () => {
    const input = { phone: '5511987654321', body: 'x', id: '3EB0CCCCCCCCCCCCCCCCCC' };
    expect(await externalFailure(client().sendText('wrong', input))).toMatchObject({ kind: 'permanent', status: 401 });
    expect(await externalFailure(client().sendText(TOKEN, { ...input, phone: 'not a phone' }))).toMatchObject({
      kind: 'permanent',
      status: 400,
      code: 'could not parse Phone',
    });
    double.injectFault({ kind: 'status', status: 503 });
    expect(await externalFailure(client().sendText(TOKEN, input))).toMatchObject({ kind: 'retryable', status: 503 });
  });
});
