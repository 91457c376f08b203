import { createQueue, createRedisConnection, loadConfig, QUEUES } from '@zaprelay/core';
import Fastify from 'fastify';

/**
 * The ceiling the ingress is held to (issue 14): a naive webhook server on the
 * same Fastify, Redis and queue options: parse the JSON, one Queue.add with a
 * jobId, nothing else (no auth, validation, dedupe, trace, metrics or logging).
 */
const config = loadConfig();
const connection = createRedisConnection(config.REDIS_URL, { role: 'producer' });
const queue = createQueue(QUEUES.events, { connection, config });
await queue.waitUntilReady();
let n = 0;
const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024 });
app.post('/webhooks/evolution', async (req, reply) => {
  const body = req.body as { event?: string; data?: { key?: { id?: string } } };
  const id = `evolution-${body.data?.key?.id ?? `${process.pid}-${n++}`}`;
  await queue.add(body.event ?? 'messages.upsert', body, { jobId: id });
  return reply.code(202).send({ status: 'queued', id });
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('ready\n');
process.once(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => queue.close())
      .then(() => process.exit(0)),
);
