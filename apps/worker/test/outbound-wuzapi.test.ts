import { messageActivityKey, toJobId } from '@zaprelay/core';
import { afterEach, describe, expect, it } from 'vitest';
import { wuzapiMessageId } from '../src/outbound/index.js';
import { type OutboundHarness, startOutboundHarness, WUZAPI_INSTANCE } from './outbound-harness.js';

describe('outbound sends through WUZAPI', () => {
  let harness: OutboundHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('routes a WUZAPI instance to WUZAPI with our own Id and queues the CRM activity', async () => {
    harness = await startOutboundHarness();
    const job = await harness.send({ instance: WUZAPI_INSTANCE, to: '+5511987654321', text: 'Oi do WUZAPI' });
    const result = await harness.finished(job);

    const expectedId = wuzapiMessageId(String(job.id), job.timestamp);
    expect(result).toEqual({ gatewayMessageId: expectedId, gateway: 'wuzapi' });
    expect(harness.wuzapi.sent).toEqual([
      expect.objectContaining({
        user: WUZAPI_INSTANCE,
        messageId: expectedId,
        phone: '5511987654321',
        body: 'Oi do WUZAPI',
      }),
    ]);
    expect(harness.evolution.requests).toHaveLength(0);

    const crmJob = await harness.crmQueue.getJob(
      toJobId(messageActivityKey({ instance: WUZAPI_INSTANCE, messageId: expectedId })),
    );
    expect(crmJob?.data).toMatchObject({
      kind: 'message-activity',
      message: { source: 'wuzapi', direction: 'outbound', phone: '+5511987654321', text: 'Oi do WUZAPI' },
    });
  });

  it('sends once when the first answer was lost and the job is retried', async () => {
    harness = await startOutboundHarness();
    harness.wuzapi.injectFault({ kind: 'drop-after-commit' });
    const job = await harness.send({ instance: WUZAPI_INSTANCE });
    const result = await harness.finished(job);

    const sends = harness.wuzapi.requests.filter((r) => r.path === '/chat/send/text');
    expect(sends).toHaveLength(2);
    const ids = sends.map((r) => (r.body as { Id: string }).Id);
    expect(ids[0]).toBe(ids[1]);
    expect(harness.wuzapi.sent).toHaveLength(1);
    expect(result.gatewayMessageId).toBe(ids[0]);
    expect((await harness.reload(job)).attemptsMade).toBe(2);
  });

  it('gives every job its own Id', () => {
    expect(wuzapiMessageId('1', 1000)).toMatch(/^3EB0[0-9A-F]{18}$/);
    expect(wuzapiMessageId('1', 1000)).toBe(wuzapiMessageId('1', 1000));
    expect(wuzapiMessageId('1', 1000)).not.toBe(wuzapiMessageId('2', 1000));
    // Same numeric id after a Redis reset, different creation time: a different message.
    expect(wuzapiMessageId('1', 1000)).not.toBe(wuzapiMessageId('1', 2000));
  });
});
