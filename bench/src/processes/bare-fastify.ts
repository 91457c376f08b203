import Fastify from 'fastify';

/** The other ceiling: the same route on bare Fastify, parsing JSON and enqueueing nothing. */
const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024 });
app.post('/webhooks/evolution', async (_req, reply) => reply.code(202).send({ status: 'queued', id: 'none' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('ready\n');
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
