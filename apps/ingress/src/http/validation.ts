import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

/** `400 {"error":"invalid_payload","issues":[{path,message}]}` — what is wrong, where. */
export function sendInvalidPayload(reply: FastifyReply, error: z.ZodError) {
  return reply.code(400).send({
    error: 'invalid_payload',
    issues: error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
  });
}

export function sendUnauthorized(reply: FastifyReply) {
  return reply.code(401).send({ error: 'unauthorized' });
}
