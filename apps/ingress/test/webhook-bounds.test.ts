import { evolutionContactsUpsert } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngress, evolutionAuth, type Ingress, json } from './ingress-harness.js';

describe('the work one webhook may cause is bounded at the ingress', () => {
  let ingress: Ingress;
  beforeAll(async () => {
    ingress = await buildIngress({ WEBHOOK_MAX_ITEMS: '50', WEBHOOK_BODY_LIMIT_BYTES: '65536' });
  });
  afterAll(() => ingress.close());

  const contacts = (n: number) =>
    evolutionContactsUpsert({
      contacts: Array.from({ length: n }, (_, i) => ({ phone: `+55119${String(10_000_000 + i)}`, pushName: `C ${i}` })),
    });

  it('a data array longer than WEBHOOK_MAX_ITEMS: 413 naming the limit, nothing stored', async () => {
    const res = await ingress.app.inject({ url: '/webhooks/evolution', ...json(contacts(51), evolutionAuth) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: 'too_many_items',
      message: 'data holds 51 items; at most 50 (WEBHOOK_MAX_ITEMS) per webhook',
    });
    expect(await ingress.storedEvents()).toHaveLength(0);
  });

  it('at the limit: stored', async () => {
    const res = await ingress.app.inject({ url: '/webhooks/evolution', ...json(contacts(50), evolutionAuth) });
    expect(res.statusCode).toBe(202);
    expect(await ingress.storedEvents()).toHaveLength(1);
  });

  it('a body over WEBHOOK_BODY_LIMIT_BYTES: 413 naming the limit', async () => {
    const body = { ...contacts(1), padding: 'x'.repeat(70_000) };
    const res = await ingress.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: 'payload_too_large',
      message: 'body exceeds 65536 bytes (WEBHOOK_BODY_LIMIT_BYTES)',
    });
  });
});
