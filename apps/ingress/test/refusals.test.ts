import { monitorKeys } from '@zaprelay/core';
import { evolutionText, waitFor } from '@zaprelay/test-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngress, type Ingress, json } from './ingress-harness.js';

describe('webhooks refused with 401', () => {
  let ingress: Ingress;
  beforeEach(async () => {
    ingress = await buildIngress();
  });
  afterEach(() => ingress.close());

  it('are counted per source for the workers alert check, from the first one', async () => {
    const key = monitorKeys(ingress.config.QUEUE_PREFIX).refused('evolution');
    const res = await ingress.app.inject({
      url: '/webhooks/evolution',
      ...json(evolutionText(), { 'x-webhook-token': 'wrong' }),
    });
    expect(res.statusCode).toBe(401);
    await waitFor('counted', async () => (await ingress.redis.get(key)) === '1');
    await ingress.app.inject({ url: '/webhooks/supercrm', ...json({ id: 'x' }) });
    await waitFor(
      'supercrm counted',
      async () => (await ingress.redis.get(key.replace(/evolution$/, 'supercrm'))) === '1',
    );
  });
});
