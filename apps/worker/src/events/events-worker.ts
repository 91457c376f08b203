import {
  baseWorkerOptions,
  byInstance,
  type Config,
  describeIssues,
  type InternalMessage,
  type Logger,
  MAX_SEND_TEXT_LENGTH,
  type MessageTrace,
  messageActivityKey,
  type OutboundJob,
  QUEUES,
  type RedisClient,
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
import type { CrmWork } from '../crm/index.js';
import type { WorkerMetrics } from '../metrics/worker-metrics.js';
import type { HealthTracker } from '../monitor/health-tracker.js';
import type { SeenChats } from '../reconcile/seen-chats.js';
import { createLidResolver } from './lid-resolver.js';
import { chooseSendInstance, createInstanceMemory, isConfiguredInstance } from './send-instance.js';
import { itemJobId, itemPriority, splitItems } from './split-items.js';
import { HANDLED_SUPERCRM_TYPES, type SuperCrmEvent, superCrmEventSchema, superCrmTypeOf } from './supercrm-event.js';

export interface EventsWorkerDeps {
  connection: RedisClient;
  config: Config;
  logger: Logger;
  adapters: GatewayAdapters;
  crm: CrmWork;
  outboundQueue: Queue;
  /** The events queue itself: a multi-item webhook is split into one job per item there. */
  eventsQueue?: Queue;
  tracker: HealthTracker;
  metrics: WorkerMetrics;
  /** WUZAPI chats seen, for reconciliation (WUZAPI's history is read per chat). */
  seenChats?: SeenChats;
  /** Where each message went (GET /api/trace/:messageId); optional so harnesses need not build one. */
  trace?: MessageTrace;
  /** The events shard this worker serves (`events`, `events-1`…); default the only one. */
  queueName?: string;
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
    // Independent writes: sent together, one round trip in time.
    await Promise.all([
      message.isGroup ? undefined : instances.remember(message.phone, message.instance),
      deps.crm.messageActivity(message),
    ]);
  }
  const traced = (ids: string[], stage: string, fields: Record<string, string | number | undefined>) =>
    deps.trace?.record(ids, stage, fields).catch((err: Error) => log.warn({ err: { message: err.message } }, 'trace'));
  const lids = createLidResolver({
    redis: deps.connection,
    prefix: deps.config.QUEUE_PREFIX,
    logger: log,
    // Queued once its phone is known: at once, or later by the event that teaches it.
    enqueue: async (message) => {
      await messageActivity(message);
      await traced([message.messageId], 'queued-for-crm', {
        jobId: toJobId(messageActivityKey(message)),
        direction: message.direction,
        phoneFrom: 'lid',
      });
    },
  });

  const configured = new Set(
    [...(deps.config.EVOLUTION_INSTANCES ?? []), ...(deps.config.WUZAPI_USER_TOKENS?.keys() ?? [])].map((i) =>
      i.toLowerCase(),
    ),
  );
  /** Configured instances, and those the monitor listed from the gateway (it keeps their status). */
  const isTracked = async (instance: string) =>
    configured.has(instance.toLowerCase()) || (await deps.tracker.knowsInstance(instance));

  /**
   * Traced first: once queued, a CRM worker may record its first attempt before
   * the trace would be written. On one Redis, the trace and the phone's last
   * instance go in the call that enters the message in its chat's order, before
   * the add (crm/chat-order.ts); a cluster keeps them in other slots, and waits
   * for the trace.
   */
  async function queueForCrm(job: Job, message: InternalMessage) {
    const fields = {
      eventJobId: job.id,
      jobId: toJobId(messageActivityKey(message)),
      direction: message.direction,
    };
    if (deps.connection.isCluster) {
      await traced([message.messageId], 'queued-for-crm', fields);
      await messageActivity(message);
      return;
    }
    await deps.crm.messageActivity(message, {
      trace: deps.trace?.entry([message.messageId], 'queued-for-crm', fields),
      value: message.isGroup ? undefined : instances.entry(message.phone, message.instance),
    });
  }

  async function handleGatewayEvent(job: Job, data: WebhookEventJob, event: NormalisedEvent) {
    switch (event.type) {
      case 'message':
        // Remembered for reconciliation: only for instances it reconciles, so any name a webhook carries cannot grow Redis.
        if (event.message.source === 'wuzapi' && (await isTracked(event.message.instance)))
          await deps.seenChats?.seen(event.message.instance, event.message.chatJid);
        // The chat's messages that waited for this pair were sent before this one: queued first, so in order.
        if (jidKind(event.message.chatJid) === 'lid') await lids.learn(event.message.chatJid, event.message.phone);
        return queueForCrm(job, event.message);
      case 'lid-message':
        if ((await lids.resolve(event.lid, event.message)) === 'waiting') {
          deps.metrics.skipped.inc({ source: data.source, reason: 'no-phone' });
          await traced([event.message.messageId], 'waiting', { eventJobId: job.id, waitReason: 'lid-phone-unknown' });
        }
        return;
      case 'contact':
        return deps.crm.contactUpsert(event.phone, event.name);
      case 'connection':
        // Any name a webhook carries would otherwise become a hash field and a history list forever.
        if (!(await isTracked(event.instance))) {
          deps.metrics.skipped.inc({ source: data.source, reason: 'untracked-instance' });
          log.debug({ jobId: job.id, instance: event.instance }, 'connection event of an instance not tracked');
          return;
        }
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
        if (event.messageId) {
          await traced([event.messageId], 'skipped', { eventJobId: job.id, skipReason: event.reason });
        }
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
      const gateway =
        instance && byInstance(deps.config.WUZAPI_USER_TOKENS, instance) !== undefined ? 'wuzapi' : 'evolution';
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

  const queueName = deps.queueName ?? QUEUES.events;
  return new Worker(
    queueName,
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
      const items = deps.eventsQueue && splitItems(data);
      if (deps.eventsQueue && items) {
        await deps.eventsQueue.addBulk(
          items.map((item, i) => ({
            name: job.name,
            data: item,
            opts: { jobId: itemJobId(String(job.id), i), priority: itemPriority(item) },
          })),
        );
        log.debug({ jobId: job.id, items: items.length }, 'multi-item webhook split into one job per item');
        return { handled: 0, split: items.length };
      }
      let events: NormalisedEvent[];
      try {
        events = normaliseGatewayEvent(deps.adapters, data);
      } catch (err) {
        // Not the gateway's format: retrying cannot help; the job stays in the failed set to be looked at.
        if (err instanceof InvalidPayloadError) {
          // Said at warn: a message webhook we cannot read is not synced, and only the failed set would show it.
          log.warn({ jobId: job.id, source: data.source, event: data.event }, 'webhook not in the gateway format');
          throw new UnrecoverableError(err.message);
        }
        throw err;
      }
      for (const event of events) {
        await handleGatewayEvent(job, data, applyGroupPolicy(event, { syncGroups: deps.config.CRM_SYNC_GROUPS }));
      }
      return { handled: events.length };
    },
    {
      ...baseWorkerOptions(deps.config, deps.connection, queueName),
      // No limiter: it is there for queue.rateLimit() after a 429, and this queue calls no external API;
      // BullMQ's limiter bookkeeping would cost a counter write on every job it fetches.
      limiter: undefined,
      concurrency: deps.config.WORKER_CONCURRENCY,
    },
  );
}
