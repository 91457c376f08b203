import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

export type EventOutcome = 'queued' | 'duplicate' | 'ignored' | 'rejected';

/** Requests by route and status, latency, and what happened to each webhook event. */
export function createIngressMetrics(registry: Registry) {
  const registers = [registry];
  const requests = new Counter({
    name: 'zaprelay_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'zaprelay_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['route', 'method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const events = new Counter({
    name: 'zaprelay_webhook_events_total',
    help: 'Webhook events by source, event, outcome (queued|duplicate|ignored|rejected) and reason',
    labelNames: ['source', 'event', 'outcome', 'reason'] as const,
    registers,
  });
  const eventChildren = new Map<string, { inc(): void }>();
  return {
    /** Counts every request once it is answered, under its route pattern (not the raw URL). */
    observe(app: FastifyInstance) {
      // prom-client hashes a label set on every call: each route, method and status gets its children once.
      const children = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();
      // A callback hook: an async one costs each request a promise.
      app.addHook('onResponse', (req, reply, done) => {
        const route = req.routeOptions.url ?? 'unmatched';
        const status = String(reply.statusCode);
        const key = `${route} ${req.method} ${status}`;
        let child = children.get(key);
        if (!child) {
          child = {
            count: requests.labels({ route, method: req.method, status }),
            time: latency.labels({ route, method: req.method }),
          };
          children.set(key, child);
        }
        child.count.inc();
        child.time.observe(reply.elapsedTime / 1000);
        done();
      });
    },
    event(source: string, event: string, outcome: EventOutcome, reason = '') {
      const key = `${source} ${event} ${outcome} ${reason}`;
      let child = eventChildren.get(key);
      if (!child) {
        // Event names come from senders: keep the label set bounded.
        const name = /^[\w.]{1,40}$/.test(event) ? event : 'other';
        child = events.labels({ source, event: name, outcome, reason });
        // Unbounded names all map to 'other': past a bound, stop remembering them.
        if (eventChildren.size < 1000) eventChildren.set(key, child);
      }
      child.inc();
    },
  };
}

export type IngressMetrics = ReturnType<typeof createIngressMetrics>;
