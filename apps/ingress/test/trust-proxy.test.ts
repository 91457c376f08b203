import { capturingLogger } from '@zaprelay/test-kit';
import { describe, expect, it } from 'vitest';
import { buildIngress } from './ingress-harness.js';

describe('TRUST_PROXY on the ingress', () => {
  const clientOf = async (env: Record<string, string>) => {
    const { logger, lines } = capturingLogger('info');
    const ingress = await buildIngress(env, undefined, logger);
    try {
      await ingress.app.inject({
        url: '/api/trace/TP-1',
        remoteAddress: '10.0.0.2',
        headers: { 'x-forwarded-for': '203.0.113.7' },
      });
      const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'incoming request');
      return logged?.req?.remoteAddress as string | undefined;
    } finally {
      await ingress.close();
    }
  };

  it('logs the client from X-Forwarded-For behind a trusted proxy, and the peer otherwise', async () => {
    expect(await clientOf({ TRUST_PROXY: 'true' })).toBe('203.0.113.7');
    expect(await clientOf({ TRUST_PROXY: '10.0.0.0/8' })).toBe('203.0.113.7');
    // Anyone can send the header: without TRUST_PROXY it is not believed.
    expect(await clientOf({})).toBe('10.0.0.2');
  });
});
