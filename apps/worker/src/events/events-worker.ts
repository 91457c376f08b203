import {
  baseWorkerOptions,
  type Config,
  describeIssues,
  type InternalMessage,
  type Logger,
  MAX_SEND_TEXT_LENGTH,
  type OutboundJob,
  QUEUES,
  toJobId,
  type WebhookEventJob,
  webhookEventJobSchema,
} from '@zaprelay/core';
import {
  applyGroupPolicy,
  type GatewayAdapters,
  InvalidPayloadError,
  jidKind,
  type NormalisedEvent,
  normaliseGatewayEvent,
} from '@zaprelay/gateway-adapters';
import { type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CrmWork } from '../crm/index.js';
import type { WorkerMetrics } from '../metrics/worker-metrics.js';
import type { HealthTracker } from '../monitor/health-tracker.js';
import { createLidResolver } from './lid-resolver.js';
import { chooseSendInstance, createInstanceMemory, isConfiguredInstance } from './send-instance.js';
import { HANDLED_SUPERCRM_TYPES, type SuperCrmEvent, superCrmEventSchema, superCrmTypeOf } from './supercrm-event.js';

export interface EventsWorkerDeps {
  connection: Redis;
  config: Config;
  logger: Logger;
  adapters: GatewayAdapters;
  crm: CrmWork;
  outboundQueue: Queue;
  tracker: HealthTracker;
  metrics: WorkerMetrics;
}

/**
 * Turns each stored webhook into work: messages and contacts into CRM jobs,
 * connection changes into instance health, SuperCRM send requests into
 * outbound jobs. Nothing here calls an external API, so it needs no limiter.
 */
export function createEventsWorker(deps: EventsWorkerDeps): Worker {
  const log = deps.logger.child({ component: 'events' });
  const instances = createInstanceMemory(deps.connection, deps.config);
  /** A message's CRM work, and the instance a later CRM send to its phone should use. */
  async function messageActivity(message: InternalMessage) {
    if (!message.isGroup) await instances.remember(message.phone, message.instance);
    await deps.crm.messageActivity(message);
  }
  const lids = createLidResolver({
    redis: deps.connection,
    prefix: deps.config.QUEUE_PREFIX,
    logger: log,
    enqueue: messageActivity,
  });

  async function handleGatewayEvent(job: Job, data: WebhookEventJob, event: NormalisedEvent) {
    switch (event.type) {
      case 'message':
        await messageActivity(event.message);
        if (jidKind(event.message.chatJid) === 'lid') await lids.learn(event.message.chatJid, event.message.phone);
        return;
      case 'lid-message':
        if ((await lids.resolve(event.lid, event.message)) === 'waiting') {
          deps.metrics.skipped.inc({ source: data.source, reason: 'no-phone' });
        }
        return;
      case 'contact':
        return deps.crm.contactUpsert(event.phone, event.name);
      case 'connection':
        await deps.tracker.observeInstance(event.instance, event.source, {
          at: new Date().toISOString(),
          state: event.state,
        });
        return;
      case 'message-status':
        if (event.status === 'deleted') {
          // Only a deletion that names no chat gets here (see the adapters): no contact to file it on.
          deps.metrics.skipped.inc({ source: data.source, reason: 'no-phone' });
          log.warn({ jobId: job.id, messageId: event.messageId }, 'deletion without a chat: not synced');
          return;
        }
        log.debug({ jobId: job.id, messageId: event.messageId, status: event.status }, 'message status');
        return;
      case 'skipped':
        // A message not synced is said at info: nothing is dropped where production logs cannot see it.
        deps.metrics.skipped.inc({ source: data.source, reason: event.reason });
        log.info(
          {
            jobId: job.id,
            event: event.event,
            reason: event.reason,
            messageId: event.messageId,
            chatJid: event.chatJid,
          },
          'event skipped',
        );
        return;
      case 'ignored':
        deps.metrics.skipped.inc({ source: data.source, reason: event.reason });
        log.debug({ jobId: job.id, event: event.event, reason: event.reason }, 'event ignored');
        return;
    }
  }

  /** Why a CRM send cannot go out at all, or undefined when it can. */
  function refusal(instance: string | undefined, text: string): string | undefined {
    if (!instance) return 'no WhatsApp instance to send through: the CRM named none and none is configured';
    if (!isConfiguredInstance(deps.config, instance)) {
      return `instance "${instance}" is not configured (EVOLUTION_INSTANCES, WUZAPI_USER_TOKENS)`;
    }
    if (text.length > MAX_SEND_TEXT_LENGTH) {
      return `the text has ${text.length} characters; the gateway limit is ${MAX_SEND_TEXT_LENGTH}`;
    }
    return undefined;
  }

  async function handleSuperCrmEvent(job: Job, event: SuperCrmEvent) {
    if (event.type === 'contact.updated') {
      const outcome = await deps.crm.contactUpdated(event.data);
      if (outcome !== 'applied') log.info({ jobId: job.id, eventId: event.id, outcome }, 'contact.updated not applied');
      return;
    }
    const { phone, text, contact_id: contactId } = event.data;
    const instance = chooseSendInstance(deps.config, event.data.instance, await instances.last(phone));
    const reason = refusal(instance, text);
    if (reason !== undefined || instance === undefined) {
      // The agent sees it on the contact; the failed job keeps it for operators.
      const gateway = instance && deps.config.WUZAPI_USER_TOKENS?.has(instance) ? 'wuzapi' : 'evolution';
      await deps.crm.notSent({
        key: `supercrm:${event.id}`,
        phone,
        text,
        reason: String(reason),
        instance,
        gateway,
        contactId,
      });
      throw new UnrecoverableError(`message.send_requested ${event.id}: ${reason}`);
    }
    const send: OutboundJob = {
      instance,
      to: phone,
      text,
      origin: 'supercrm',
      contactId,
      requestedAt: Date.now(),
    };
    // The CRM event id makes a redelivered request one send.
    await deps.outboundQueue.add('send', send, { jobId: toJobId(`supercrm:${event.id}`) });
    log.info({ jobId: job.id, eventId: event.id, instance }, 'send requested by the CRM queued');
  }

  return new Worker(
    QUEUES.events,
    async (job: Job) => {
      const parsed = webhookEventJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid event job: ${parsed.error.message}`);
      const data = parsed.data;
      if (data.source === 'supercrm') {
        const event = superCrmEventSchema.safeParse(data.payload);
        if (!event.success) {
          if (HANDLED_SUPERCRM_TYPES.has(superCrmTypeOf(data.payload))) {
            // An agent's send the CRM asked for must not vanish: it stays in the failed set, saying why.
            throw new UnrecoverableError(`invalid SuperCRM event: ${describeIssues(event.error, '(body)')}`);
          }
          deps.metrics.skipped.inc({ source: 'supercrm', reason: 'unhandled-event' });
          return { handled: 0 };
        }
        await handleSuperCrmEvent(job, event.data);
        return { handled: 1 };
      }
      let events: NormalisedEvent[];
      try {
        events = normaliseGatewayEvent(deps.adapters, data);
      } catch (err) {
        // Not the gateway's format: retrying cannot help; the job stays in the failed set to be looked at.
        if (err instanceof InvalidPayloadError) throw new UnrecoverableError(err.message);
        throw err;
      }
      for (const event of events) {
        await handleGatewayEvent(job, data, applyGroupPolicy(event, { syncGroups: deps.config.CRM_SYNC_GROUPS }));
      }
      return { handled: events.length };
    },
    { ...baseWorkerOptions(deps.config, deps.connection), concurrency: deps.config.WORKER_CONCURRENCY },
  );
}
