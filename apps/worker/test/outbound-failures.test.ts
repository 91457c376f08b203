import { afterEach, describe, expect, it } from 'vitest';
import { type OutboundHarness, startOutboundHarness } from './outbound-harness.js';

const sendTextRequests = (harness: OutboundHarness) =>
  harness.evolution.requests.filter((r) => r.path === '/message/sendText/main');

describe('outbound send failures', () => {
  let harness: OutboundHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('retries a 503 with backoff, looking first for a message the failed attempt may have sent, and then succeeds', async () => {
    harness = await startOutboundHarness();
    harness.evolution.injectFault({ kind: 'status', status: 503 }, { route: '/message/sendText' });
    const job = await harness.send();
    const result = await harness.finished(job);
    expect(sendTextRequests(harness).map((r) => r.status)).toEqual([503, 201]);
    expect(harness.evolution.sent).toHaveLength(1);
    expect(result.gatewayMessageId).toBe(harness.evolution.sent[0]?.messageId);
    expect(harness.evolution.requests.filter((r) => r.path.startsWith('/chat/findMessages'))).toHaveLength(1);
    expect((await harness.reload(job)).attemptsMade).toBe(2);
  });

  it('fails a 401 (wrong API key) at once, without retries, and keeps it in the failed set', async () => {
    harness = await startOutboundHarness({ evolutionKeyUsed: 'a-wrong-key' });
    const job = await harness.send();
    await expect(harness.finished(job)).rejects.toThrow(/HTTP 401/);
    const failed = await harness.reload(job);
    expect(await failed.getState()).toBe('failed');
    expect(failed.attemptsMade).toBe(1);
    expect(failed.progress).toEqual({ stage: 'not-sent' });
    expect(sendTextRequests(harness)).toHaveLength(1);
    expect(await harness.outboundQueue.getFailedCount()).toBe(1);
  });

  it('fails a 400 at once, without retries', async () => {
    harness = await startOutboundHarness();
    harness.evolution.injectFault({ kind: 'status', status: 400, body: { status: 400, error: 'Bad Request' } });
    const job = await harness.send();
    await expect(harness.finished(job)).rejects.toThrow(/HTTP 400/);
    expect((await harness.reload(job)).attemptsMade).toBe(1);
    expect(sendTextRequests(harness)).toHaveLength(1);
    expect(harness.evolution.sent).toHaveLength(0);
  });

  it('fails an unreadable 2xx at once and keeps the send marked as in doubt, never as not sent', async () => {
    harness = await startOutboundHarness();
    harness.evolution.injectFault({ kind: 'status', status: 201, body: { unexpected: true } });
    const job = await harness.send();
    await expect(harness.finished(job)).rejects.toThrow(/unexpected response/);
    const failed = await harness.reload(job);
    expect(failed.attemptsMade).toBe(1);
    expect(failed.progress).toMatchObject({ stage: 'sending' });
  });

  it('fails a job whose recipient is not a phone or JID without calling the gateway', async () => {
    harness = await startOutboundHarness();
    const job = await harness.send({ to: 'not-a-number' });
    await expect(harness.finished(job)).rejects.toThrow(/invalid outbound job/);
    expect((await harness.reload(job)).attemptsMade).toBe(1);
    expect(harness.evolution.requests).toHaveLength(0);
  });

  it('honours 429 Retry-After by pausing the queue, without using up an attempt', async () => {
    // One attempt only: the job can complete only if the 429 did not count as one.
    harness = await startOutboundHarness({ env: { EVOLUTION_RETRY_MAX_ATTEMPTS: '1' } });
    harness.evolution.injectFault(
      { kind: 'status', status: 429, retryAfterSeconds: 1 },
      { route: '/message/sendText' },
    );
    const job = await harness.send();
    const result = await harness.finished(job);
    const [limited, accepted] = sendTextRequests(harness);
    expect(limited?.status).toBe(429);
    expect(accepted?.status).toBe(201);
    // The queue stayed paused for Retry-After (a lower bound, which no slowness can break).
    expect((accepted?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(result.gatewayMessageId).toBe(harness.evolution.sent[0]?.messageId);
  });
});
