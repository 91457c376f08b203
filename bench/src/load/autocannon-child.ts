import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { evolutionTextWebhookTemplate } from './webhook-body.js';

/**
 * The load generator, in its own process so it does not share an event loop
 * with what it measures. Prints one JSON line with the results.
 */
interface LoadSpec {
  url: string;
  connections: number;
  /** Either a duration or a fixed number of requests. */
  durationSeconds?: number;
  amount?: number;
  headers?: Record<string, string>;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const runId = randomUUID().slice(0, 8);
const body = evolutionTextWebhookTemplate();
let n = 0;

const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  ...(spec.amount ? { amount: spec.amount } : { duration: spec.durationSeconds }),
  method: 'POST',
  headers: { 'content-type': 'application/json', ...spec.headers },
  requests: [{ setupRequest: (req) => ({ ...req, body: body(`${runId}-${n++}`) }) }],
});

process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    bodyBytes: Buffer.byteLength(body('x')),
  })}\n`,
);
