import { loadConfig } from '@zaprelay/core';
import { capturingLogger, createEvolutionDouble, type EvolutionDouble } from '@zaprelay/test-kit';
import { externalFailure } from '@zaprelay/test-kit/vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createEvolutionClient,
  GatewayNotConfiguredError,
  isSendOutcomeUnknown,
  sendFailureOutcome,
} from '../src/index.js';

const API_KEY = 'evo-secret-key-123';
const TEXT = 'secret message body 42';

describe('Evolution client against the Evolution double', () => {
  let double: EvolutionDouble;
  const { logger, lines } = capturingLogger();
  const client = () =>
    createEvolutionClient(
      loadConfig({ EVOLUTION_API_URL: double.url, EVOLUTION_API_KEY: API_KEY, EVOLUTION_TIMEOUT_MS: '500' }),
      logger,
    );

  beforeAll(async () => {
    double = createEvolutionDouble({ apiKey: API_KEY, instances: { main: 'open', spare: 'connecting' } });
    await double.listen();
  });
  afterEach(() => double.clearFaults());
  afterAll(() => double.close());

  it('sends a text and returns the id Evolution gave the message', async () => {
    const sent = await client().sendText('main', { number: '5511987654321', text: TEXT });
    const record = double.sent.at(-1);
    expect(record).toMatchObject({ instance: 'main', number: '5511987654321', text: TEXT });
    expect(sent.messageId).toBe(record?.messageId);
    expect(sent.remoteJid).toBe('5511987654321@s.whatsapp.net');
    expect(sent.timestampMs).toBeGreaterThan(0);
  });

  it('reads connection state and how long the answer took', async () => {
    const evolution = client();
    expect((await evolution.connectionState('spare')).state).toBe('connecting');
    double.setState('spare', 'close');
    const state = await evolution.connectionState('spare');
    expect(state.state).toBe('close');
    expect(state.responseTimeMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a slow instance in the response time', async () => {
    double.setResponseDelay(150, 'spare');
    try {
      expect((await client().connectionState('spare')).responseTimeMs).toBeGreaterThanOrEqual(140);
    } finally {
      double.setResponseDelay(0, 'spare');
    }
  });

  it('lists the instances by name', async () => {
    expect((await client().fetchInstances()).sort()).toEqual(['main', 'spare']);
  });

  it('finds the contacts of an instance', async () => {
    double.setContacts('main', [
      { remoteJid: '5511911112222@s.whatsapp.net', pushName: 'Ana' },
      { remoteJid: '5511933334444@s.whatsapp.net' },
    ]);
    const contacts = await client().findContacts('main');
    expect(contacts).toHaveLength(2);
    expect(contacts[0]).toMatchObject({ remoteJid: '5511911112222@s.whatsapp.net', pushName: 'Ana' });
    expect(contacts[1]?.pushName).toBeUndefined();
  });

  it('finds our own sent messages in a time window', async () => {
    const evolution = client();
    const sent = await evolution.sendText('main', { number: '5511955556666', text: 'find me' });
    const found = await evolution.findSentMessages('main', {
      since: new Date(Date.now() - 60_000),
      until: new Date(Date.now() + 60_000),
    });
    expect(found.find((m) => m.messageId === sent.messageId)).toMatchObject({
      text: 'find me',
      remoteJid: '5511955556666@s.whatsapp.net',
    });
    const before = await evolution.findSentMessages('main', {
      since: new Date(Date.now() - 3_600_000),
      until: new Date(Date.now() - 1_800_000),
    });
    expect(before).toEqual([]);
  });

  it('classifies a wrong API key as permanent', async () => {
    const wrong = createEvolutionClient(
      loadConfig({ EVOLUTION_API_URL: double.url, EVOLUTION_API_KEY: 'not-the-key' }),
      logger,
    );
    const err = await externalFailure(wrong.sendText('main', { number: '5511987654321', text: TEXT }));
    expect(err).toMatchObject({ kind: 'permanent', status: 401, service: 'evolution', operation: 'sendText' });
  });

  it('classifies an unknown instance and a bad number as permanent', async () => {
    expect(await externalFailure(client().connectionState('nope'))).toMatchObject({ kind: 'permanent', status: 404 });
    expect(await externalFailure(client().sendText('main', { number: 'abc', text: TEXT }))).toMatchObject({
      kind: 'permanent',
      status: 400,
    });
  });

  it('classifies 5xx as retryable with the send in doubt, and 429 as rate limited (not sent) with its Retry-After', async () => {
    double.injectFault({ kind: 'status', status: 503 });
    const unavailable = await externalFailure(client().sendText('main', { number: '5511987654321', text: TEXT }));
    expect(unavailable).toMatchObject({ kind: 'retryable', status: 503 });
    // Evolution may have handed the message to WhatsApp before failing.
    expect(isSendOutcomeUnknown(unavailable)).toBe(true);

    double.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 7 });
    const limited = await externalFailure(client().sendText('main', { number: '5511987654321', text: TEXT }));
    expect(limited).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 7000 });
    expect(sendFailureOutcome(limited)).toBe('not-sent');
  });

  it('marks a dropped answer and a timeout as sends whose outcome is unknown', async () => {
    const sentBefore = double.sent.length;
    double.injectFault({ kind: 'drop-after-commit' }, { route: '/message/sendText' });
    const dropped = await externalFailure(client().sendText('main', { number: '5511987654321', text: TEXT }));
    expect(dropped.kind).toBe('retryable');
    expect(isSendOutcomeUnknown(dropped)).toBe(true);
    expect(double.sent.length).toBe(sentBefore + 1);

    double.injectFault({ kind: 'delay', ms: 2000 });
    const slow = await externalFailure(client().sendText('main', { number: '5511987654321', text: TEXT }));
    expect(slow.kind).toBe('retryable');
    expect(isSendOutcomeUnknown(slow)).toBe(true);
  });

  it('reads an unreadable 2xx to a send as permanent and sent', async () => {
    double.injectFault({ kind: 'status', status: 201, body: { unexpected: true } });
    const err = await externalFailure(client().sendText('main', { number: '5511987654321', text: TEXT }));
    expect(err).toMatchObject({ kind: 'permanent', code: 'unexpected_response' });
    expect(err.message).not.toContain(TEXT);
    expect(sendFailureOutcome(err)).toBe('sent');
  });

  it('treats a refused connection as not sent', async () => {
    const closed = createEvolutionDouble({ apiKey: API_KEY });
    const url = await closed.listen();
    await closed.close();
    const offline = createEvolutionClient(loadConfig({ EVOLUTION_API_URL: url, EVOLUTION_API_KEY: API_KEY }), logger);
    const err = await externalFailure(offline.sendText('main', { number: '5511987654321', text: TEXT }));
    expect(err).toMatchObject({ kind: 'retryable', code: 'ECONNREFUSED' });
    expect(isSendOutcomeUnknown(err)).toBe(false);
  });

  it('never logs the API key or the message text', () => {
    const all = lines.join('');
    expect(all).toContain('evolution call');
    expect(all).not.toContain(API_KEY);
    expect(all).not.toContain(TEXT);
  });

  it('refuses to build without URL and key', () => {
    expect(() => createEvolutionClient(loadConfig({}), logger)).toThrow(GatewayNotConfiguredError);
  });
});
