import type { RedisClient } from '@zaprelay/core';
import { type Config, ExternalApiError, instanceKey, monitorKeys, type WebhookSetupRecord } from '@zaprelay/core';
import {
  type EvolutionWebhookCalls,
  SetupNotPossibleError,
  type SetupTarget,
  setupTarget,
  type WuzapiSessionCalls,
} from '@zaprelay/gateway-clients/rules';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { apiAuthorized } from '../auth/webhook-auth.js';
import { orUnavailable } from '../http/or-unavailable.js';
import { sendInvalidPayload, sendUnauthorized } from '../http/validation.js';
import { setupInstanceSchema } from '../schemas/setup.js';

export interface SetupRouteDeps {
  config: Config;
  redis: RedisClient;
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
    return (await orUnavailable(redis.hexists(keys.webhookSetups, `${gateway}:${instanceKey(instance)}`))) === 1;
  }

  async function keep(gateway: Gateway, instance: string) {
    const record: WebhookSetupRecord = { gateway, instance, appliedAt: new Date().toISOString() };
    await orUnavailable(redis.hset(keys.webhookSetups, `${gateway}:${instanceKey(instance)}`, JSON.stringify(record)));
  }

  /** The setup of the instance a request names, or undefined with the answer already sent. */
  function targetFor(gateway: Gateway, name: string, reply: FastifyReply): SetupTarget | undefined {
    const target = setupTarget({ config, evolution, wuzapi }, gateway, name);
    if (target === 'gateway-not-configured') {
      void notConfigured(reply, gateway);
      return undefined;
    }
    if (target === 'unknown-instance') {
      void reply.code(404).send({
        error: 'unknown_instance',
        message: `instance "${name}" is not in WUZAPI_USER_TOKENS (instanceName:userToken pairs)`,
      });
      return undefined;
    }
    return target;
  }

  for (const gateway of ['evolution', 'wuzapi'] as const) {
    app.post(`/api/setup/${gateway}`, async (req, reply) => {
      const parsed = setupInstanceSchema.safeParse(req.body);
      if (!parsed.success) return sendInvalidPayload(reply, parsed.error);
      const target = targetFor(gateway, parsed.data.instance, reply);
      if (!target) return reply;
      try {
        const applied = await target.apply();
        await keep(gateway, target.instance);
        return { ...applied, kept: true };
      } catch (err) {
        return sendSetupFailure(reply, gateway, target.instance, err);
      }
    });

    app.get(`/api/setup/${gateway}`, async (req, reply) => {
      const parsed = setupInstanceSchema.safeParse(req.query);
      if (!parsed.success) return sendInvalidPayload(reply, parsed.error);
      const target = targetFor(gateway, parsed.data.instance, reply);
      if (!target) return reply;
      try {
        const check = await target.check();
        return { ...check, kept: await isKept(gateway, target.instance) };
      } catch (err) {
        return sendSetupFailure(reply, gateway, target.instance, err);
      }
    });
  }
}
