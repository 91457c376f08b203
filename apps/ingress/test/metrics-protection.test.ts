import { afterEach, describe, expect, it } from 'vitest';
import { buildIngress, type Ingress } from './ingress-harness.js';

describe('/metrics on the ingress', () => {
  let ingress: Ingress | undefined;
  afterEach(async () => {
    await ingress?.close();
    ingress = undefined;
  });

  it('needs the METRICS_TOKEN bearer when it is set', async () => {
    ingress = await buildIngress({ METRICS_TOKEN: 'metrics-token-0123456789' });
    expect((await ingress.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    const ok = await ingress.app.inject({
      url: '/metrics',
      headers: { authorization: 'Bearer metrics-token-0123456789' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('zaprelay_http_requests_total');
  });

  it('is not on the public port when INGRESS_METRICS_PORT moves it', async () => {
    ingress = await buildIngress({ INGRESS_METRICS_PORT: '9465' });
    expect((await ingress.app.inject({ url: '/metrics' })).statusCode).toBe(404);
    expect((await ingress.app.inject({ url: '/health/live' })).statusCode).toBe(200);
  });
});
