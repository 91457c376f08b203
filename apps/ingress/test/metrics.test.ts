import { evolutionText, parsePrometheusText } from '@zaprelay/test-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngress, evolutionAuth, type Ingress, json } from './ingress-harness.js';

describe('GET /metrics (ingress)', () => {
  let ingress: Ingress;
  beforeEach(async () => {
    ingress = await buildIngress();
  });
  afterEach(() => ingress.close());

  it('counts requests, latency and event outcomes in Prometheus text format', async () => {
    const body = evolutionText({ id: 'M-1' });
    await ingress.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
    await ingress.app.inject({ url: '/webhooks/evolution', ...json(body, evolutionAuth) });
    await ingress.app.inject({ url: '/webhooks/evolution', ...json(body, {}) });
    const res = await ingress.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toContain(
      'zaprelay_webhook_events_total{source="evolution",event="messages.upsert",outcome="queued",reason=""',
    );
    expect(text).toMatch(
      /zaprelay_webhook_events_total\{source="evolution",event="messages.upsert",outcome="duplicate",reason="",process="ingress-test"\} 1/,
    );
    expect(text).toMatch(
      /zaprelay_webhook_events_total\{source="evolution",event="unknown",outcome="rejected",reason="unauthorized",process="ingress-test"\} 1/,
    );
    expect(text).toMatch(
      /zaprelay_http_requests_total\{route="\/webhooks\/evolution",method="POST",status="202",process="ingress-test"\} 1/,
    );
    expect(text).toContain('zaprelay_http_request_duration_seconds_bucket');
    const names = parsePrometheusText(text).map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'zaprelay_http_requests_total',
        'zaprelay_http_request_duration_seconds',
        'zaprelay_webhook_events_total',
      ]),
    );
  });
});
