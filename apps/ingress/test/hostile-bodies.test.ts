import { evolutionText, wuzapiFormBody, wuzapiText } from '@zaprelay/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngress, type Ingress, SECRETS } from './ingress-harness.js';

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  Number.POSITIVE_INFINITY,
  '',
  'x'.repeat(70_000),
  '\u0000\uffff\ud800',
  [],
  [[[[[]]]]],
  {},
  { __proto__: { admin: true } },
  { constructor: { prototype: { polluted: true } } },
  Number.MAX_SAFE_INTEGER,
  '{"event":"messages.upsert"}',
];

function deep(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

function mutate(base: Record<string, unknown>, random: () => number): unknown {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)] as T;
  const copy = structuredClone(base);
  const keys = Object.keys(copy);
  switch (Math.floor(random() * 6)) {
    case 0:
      return pick(HOSTILE_VALUES);
    case 1:
      delete copy[pick(keys)];
      return copy;
    case 2:
      copy[pick(keys)] = pick(HOSTILE_VALUES);
      return copy;
    case 3:
      return { ...copy, data: deep(200 + Math.floor(random() * 400)) };
    case 4:
      return { ...copy, data: { key: pick(HOSTILE_VALUES), message: pick(HOSTILE_VALUES) } };
    default:
      return [copy];
  }
}

describe('hostile bodies on every webhook route', () => {
  let ingress: Ingress;
  beforeAll(async () => {
    ingress = await buildIngress({ WEBHOOK_BODY_LIMIT_BYTES: String(256 * 1024) });
  });
  afterAll(() => ingress.close());

  it('never answers 5xx, never crashes, stores only what it acknowledged as queued', async () => {
    const random = rng(20261122);
    const evolution = evolutionText() as unknown as Record<string, unknown>;
    const statuses = new Map<number, number>();
    let queued = 0;
    const record = (status: number, body: string) => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      expect(status, body.slice(0, 200)).toBeLessThan(500);
    };
    for (let i = 0; i < 300; i++) {
      const body = JSON.stringify(mutate(evolution, random)) ?? 'null';
      const url =
        random() < 0.5
          ? '/webhooks/evolution'
          : `/webhooks/evolution/${['messages-upsert', '..%2F', 'x'.repeat(300)][i % 3]}`;
      const res = await ingress.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', 'x-webhook-token': SECRETS.EVOLUTION_WEBHOOK_TOKEN },
        payload: body,
      });
      record(res.statusCode, body);
      if (res.statusCode === 202 && res.json().status === 'queued') queued++;
    }
    const wuzapiTargets = [
      { type: 'application/x-www-form-urlencoded', payload: 'jsonData=%7B%22type%22%3A1%7D' },
      { type: 'application/x-www-form-urlencoded', payload: '%%%&&&===' },
      {
        type: 'application/x-www-form-urlencoded',
        payload: `jsonData=${encodeURIComponent(JSON.stringify(deep(500)))}`,
      },
      { type: 'application/x-www-form-urlencoded', payload: '__proto__=x&constructor=y&jsonData=null' },
      { type: 'application/json', payload: '[]' },
      { type: 'application/json', payload: '{"type":{"$gt":""}}' },
      { type: 'application/json', payload: '{"__proto__":{"type":"Message"}}' },
      { type: 'multipart/form-data; boundary=x', payload: '--x--' },
      { type: 'application/x-www-form-urlencoded', payload: wuzapiFormBody(wuzapiText()).slice(0, 40) },
    ];
    for (const { type, payload } of wuzapiTargets) {
      const res = await ingress.app.inject({
        method: 'POST',
        url: `/webhooks/wuzapi?token=${SECRETS.WUZAPI_WEBHOOK_TOKEN}`,
        headers: { 'content-type': type },
        payload,
      });
      record(res.statusCode, payload);
      if (res.statusCode === 202 && res.json().status === 'queued') queued++;
    }
    for (const payload of ['{}', '[]', 'null', '{"id":1,"type":"x","data":[]}', 'x'.repeat(300_000)]) {
      const res = await ingress.app.inject({
        method: 'POST',
        url: '/webhooks/supercrm',
        headers: {
          'content-type': 'application/json',
          'x-supercrm-timestamp': '1',
          'x-supercrm-signature': 'sha256=00',
        },
        payload,
      });
      record(res.statusCode, payload);
    }
    expect((await ingress.app.inject({ url: '/health/live' })).statusCode).toBe(200);
    const stored = await ingress.queues.events.getJobCounts('waiting');
    expect(stored.waiting).toBe(queued);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The generator must have hit both sides: rejections and valid-looking events.
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
  });
});
