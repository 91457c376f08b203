import { messageActivityKey, toJobId } from '@zaprelay/core';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { type OutboundHarness, startOutboundHarness } from './outbound-harness.js';

describe('outbound sends through Evolution', () => {
  let harness: OutboundHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('sends, returns the gateway message id and queues the CRM activity under the echo’s key', async () => {
    const echoes: Array<{ event: string; instance: string; data: { key: { id: string } } }> = [];
    const receiver = Fastify();
    receiver.post('/webhooks/evolution', async (request) => {
      echoes.push(request.body as (typeof echoes)[number]);
      return { ok: true };
    });
    const receiverUrl = await receiver.listen({ port: 0, host: '127.0.0.1' });
    try {
      harness = await startOutboundHarness({ evolution: { webhookUrl: `${receiverUrl}/webhooks/evolution` } });
      const job = await harness.send({ to: '+5511987654321', text: 'Pedido 123 enviado' });
      const result = await harness.finished(job);

      expect(harness.evolution.sent).toHaveLength(1);
      const sent = harness.evolution.sent[0];
      expect(sent).toMatchObject({ instance: 'main', number: '5511987654321', text: 'Pedido 123 enviado' });
      expect(result).toEqual({ gatewayMessageId: sent?.messageId, gateway: 'evolution' });
      expect((await harness.reload(job)).returnvalue).toEqual(result);

      const activityJobId = toJobId(messageActivityKey({ instance: 'main', messageId: result.gatewayMessageId }));
      const crmJob = await harness.crmQueue.getJob(activityJobId);
      expect(crmJob?.name).toBe('message-activity');
      expect(crmJob?.data).toMatchObject({
        kind: 'message-activity',
        message: {
          source: 'evolution',
          instance: 'main',
          messageId: result.gatewayMessageId,
          chatJid: '5511987654321@s.whatsapp.net',
          phone: '+5511987654321',
          direction: 'outbound',
          kind: 'text',
          text: 'Pedido 123 enviado',
          isGroup: false,
        },
      });

      // Evolution's echo of the same message names the same activity key.
      await harness.evolution.flushWebhooks();
      expect(echoes).toHaveLength(1);
      const echo = echoes[0];
      expect(echo?.event).toBe('send.message');
      expect(toJobId(messageActivityKey({ instance: echo?.instance ?? '', messageId: echo?.data.key.id ?? '' }))).toBe(
        activityJobId,
      );
    } finally {
      await receiver.close();
    }
  });

  it('addresses a person JID by its digits and a group by its JID, with no CRM activity for a group', async () => {
    harness = await startOutboundHarness();
    const person = await harness.send({ to: '5511912345678@s.whatsapp.net' });
    const group = await harness.send({ to: '120363042111111111@g.us' });
    const [personResult, groupResult] = await Promise.all([harness.finished(person), harness.finished(group)]);
    const numbers = harness.evolution.sent.map((s) => s.number).sort();
    expect(numbers).toEqual(['120363042111111111@g.us', '5511912345678']);
    const key = (id: string) => toJobId(messageActivityKey({ instance: 'main', messageId: id }));
    expect(await harness.crmQueue.getJob(key(personResult.gatewayMessageId))).toBeDefined();
    expect(await harness.crmQueue.getJob(key(groupResult.gatewayMessageId))).toBeUndefined();
  });

  it('does not send twice when Evolution sent but the answer was lost', async () => {
    harness = await startOutboundHarness();
    harness.evolution.injectFault({ kind: 'drop-after-commit' }, { route: '/message/sendText' });
    const job = await harness.send();
    const result = await harness.finished(job);

    expect(harness.evolution.sent).toHaveLength(1);
    expect(result.gatewayMessageId).toBe(harness.evolution.sent[0]?.messageId);
    const paths = harness.evolution.requests.map((r) => r.path);
    expect(paths.filter((p) => p === '/message/sendText/main')).toHaveLength(1);
    expect(paths).toContain('/chat/findMessages/main');
    const done = await harness.reload(job);
    expect(done.attemptsMade).toBe(2);
    expect(done.progress).toMatchObject({ stage: 'sent', gatewayMessageId: result.gatewayMessageId });
  });

  it('does not send twice when Evolution answered after our timeout', async () => {
    harness = await startOutboundHarness();
    // Longer than EVOLUTION_TIMEOUT_MS (1000): we give up, then Evolution sends.
    harness.evolution.injectFault({ kind: 'delay', ms: 1500 }, { route: '/message/sendText' });
    const job = await harness.send();
    const result = await harness.finished(job);
    expect(harness.evolution.sent).toHaveLength(1);
    expect(result.gatewayMessageId).toBe(harness.evolution.sent[0]?.messageId);
  });

  it('sends again when the attempt in doubt had not sent anything', async () => {
    harness = await startOutboundHarness();
    // A proxy's 504: the outcome is unknown, but this time Evolution never handled the request.
    harness.evolution.injectFault({ kind: 'status', status: 504 }, { route: '/message/sendText' });
    const job = await harness.send();
    const result = await harness.finished(job);
    expect(harness.evolution.sent).toHaveLength(1);
    expect(result.gatewayMessageId).toBe(harness.evolution.sent[0]?.messageId);
    expect(harness.evolution.requests.map((r) => `${r.path} ${r.status ?? 'dropped'}`)).toEqual([
      '/message/sendText/main 504',
      '/chat/findMessages/main 200',
      '/message/sendText/main 201',
    ]);
  });

  it('does not mistake another job’s identical message for its own lost one', async () => {
    harness = await startOutboundHarness();
    const text = 'Obrigado!';
    const first = await harness.send({ text });
    await harness.finished(first);
    harness.evolution.injectFault({ kind: 'status', status: 504 }, { route: '/message/sendText' });
    const second = await harness.send({ text });
    const result = await harness.finished(second);
    expect(harness.evolution.sent).toHaveLength(2);
    expect(result.gatewayMessageId).toBe(harness.evolution.sent[1]?.messageId);
  });
});
