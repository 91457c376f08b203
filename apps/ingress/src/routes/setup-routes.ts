import {
  byInstance,
  type Config,
  configuredSpelling,
  ExternalApiError,
  instanceKey,
  monitorKeys,
  type WebhookSetupRecord,
} from '@zaprelay/core';
import {
  applyEvolutionSetup,
  applyWuzapiSetup,
  checkEvolutionSetup,
  checkWuzapiSetup,
  type EvolutionWebhookCalls,
  SetupNotPossibleError,
  type WuzapiSessionCalls,
} from '@zaprelay/gateway-clients';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { apiAuthorized } from '../auth/webhook-auth.js';
import { QueueUnavailableError } from '../enqueue/queue-unavailable-error.js';
import { sendInvalidPayload, sendUnauthorized } from '../http/validation.js';
import { setupInstanceSchema } from '../schemas/setup.js';

export interface SetupRouteDeps {
  config: Config;
  redis: Redis;
  /** Present when EVOLUTION_API_URL and EVOLUTION_API_KEY are set. */
  evolution?: EvolutionWebhookCalls;
  /** Present when WUZAPI_API_URL is set. */
  wuzapi?: WuzapiSessionCalls;
}

type Gateway = 'evolution' | 'wuzapi';

/** A setup the gateway refused or could not be asked for, told in words the operator can act on. */
function sendSetupFailure(reply: FastifyReply, gateway: Gateway, instance: string, err: unknown) {
  if (err instanceof SetupNotPossibleError) return reply.code(409).send({ error: err.code, message: err.message });
  if (err instanceof ExternalApiError) {
    if (err.status === 404) {
      return reply.code(404).send({ error: 'instance_not_found', message: `${gateway} has no instance "${instance}"` });
    }
    const refused = err.status === 401 || err.status === 403;
    return reply.code(502).send({
      error: refused ? 'gateway_refused' : 'gateway_error',
      message: refused
        ? `${gateway} refused zaprelay's credentials (${err.status}): check ${gateway === 'evolution' ? 'EVOLUTION_API_KEY' : 'WUZAPI_USER_TOKENS'}`
        : `${gateway} did not accept the call: ${err.message}`,
    });
  }
  throw err;
}

const notConfigured = (reply: FastifyReply, gateway: Gateway) =>
  reply.code(409).send({
    error: 'gateway_not_configured',
    message:
      gateway === 'evolution'
        ? 'EVOLUTION_API_URL and EVOLUTION_API_KEY must be set to set up Evolution'
        : 'WUZAPI_API_URL must be set to set up WUZAPI',
  });

/**
 * `POST /api/setup/{evolution|wuzapi} {"instance"}` points the gateway's webhook at this ingress and
 * records it, so the worker's monitor keeps it there; `GET /api/setup/{gateway}?instance=` compares
 * what the gateway has now with what it should have. Bearer API_TOKEN, like every /api route.
 */
export async function setupRoutes(app: FastifyInstance, { config, redis, evolution, wuzapi }: SetupRouteDeps) {
  const keys = monitorKeys(config.QUEUE_PREFIX);
  app.addHook('onRequest', async (req, reply) => {
    if (!apiAuthorized(config, req)) return sendUnauthorized(reply);
  });

  async function isKept(gateway: Gateway, instance: string) {
    try {
      return (await redis.hexists(keys.webhookSetups, `${gateway}:${instanceKey(instance)}`)) === 1;
    } catch (err) {
      throw new QueueUnavailableError(err instanceof Error ? err.message : String(err));
    }
  }

  async function keep(gateway: Gateway, instance: string) {
    const record: WebhookSetupRecord = { gateway, instance, appliedAt: new Date().toISOString() };
    try {
      await redis.hset(keys.webhookSetups, `${gateway}:${instanceKey(instance)}`, JSON.stringify(record));
    } catch (err) {
      throw new QueueUnavailableError(err instanceof Error ? err.message : String(err));
    }
  }

  /** The WUZAPI user's token, or a 404 answer: a WUZAPI instance is only what WUZAPI_USER_TOKENS names. */
  function wuzapiUser(reply: FastifyReply, instance: string) {
    const token = byInstance(config.WUZAPI_USER_TOKENS, instance);
    if (!token) {
      void reply.code(404).send({
        error: 'unknown_instance',
        message: `instance "${instance}" is not in WUZAPI_USER_TOKENS (instanceName:userToken pairs)`,
      });
    }
    return token;
  }

  app.post('/api/setup/evolution', async (req, reply) => {
    const parsed = setupInstanceSchema.safeParse(req.body);
    if (!parsed.success) return sendInvalidPayload(reply, parsed.error);
    if (!evolution) return notConfigured(reply, 'evolution');
    const instance = configuredSpelling(config.EVOLUTION_INSTANCES, parsed.data.instance);
    try {
      const applied = await applyEvolutionSetup(evolution, instance, config);
      await keep('evolution', instance);
      return { ...applied, kept: true };
    } catch (err) {
      return sendSetupFailure(reply, 'evolution', instance, err);
    }
  });

  app.get('/api/setup/evolution', async (req, reply) => {
    const parsed = setupInstanceSchema.safeParse(req.query);
    if (!parsed.success) return sendInvalidPayload(reply, parsed.error);
    if (!evolution) return notConfigured(reply, 'evolution');
    const instance = configuredSpelling(config.EVOLUTION_INSTANCES, parsed.data.instance);
    try {
      const check = await checkEvolutionSetup(evolution, instance, config);
      return { ...check, kept: await isKept('evolution', instance) };
    } catch (err) {
      return sendSetupFailure(reply, 'evolution', instance, err);
    }
  });

  app.post('/api/setup/wuzapi', async (req, reply) => {
    const parsed = setupInstanceSchema.safeParse(req.body);
    if (!parsed.success) return sendInvalidPayload(reply, parsed.error);
    if (!wuzapi) return notConfigured(reply, 'wuzapi');
    const instance = instanceKey(parsed.data.instance);
    const token = wuzapiUser(reply, instance);
    if (!token) return reply;
    try {
      const applied = await applyWuzapiSetup(wuzapi, instance, token, config);
      await keep('wuzapi', instance);
      return { ...applied, kept: true };
    } catch (err) {
      return sendSetupFailure(reply, 'wuzapi', instance, err);
    }
  });

  app.get('/api/setup/wuzapi', async (req, reply) => {
    const parsed = setupInstanceSchema.safeParse(req.query);
    if (!parsed.success) return sendInvalidPayload(reply, parsed.error);
    if (!wuzapi) return notConfigured(reply, 'wuzapi');
    const instance = instanceKey(parsed.data.instance);
    const token = wuzapiUser(reply, instance);
    if (!token) return reply;
    try {
      const check = await checkWuzapiSetup(wuzapi, instance, token, config);
      return { ...check, kept: await isKept('wuzapi', instance) };
    } catch (err) {
      return sendSetupFailure(reply, 'wuzapi', instance, err);
    }
  });
}
