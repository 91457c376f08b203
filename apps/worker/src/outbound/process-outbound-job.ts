import {
  byInstance,
  CircuitOpenError,
  type Config,
  describeIssues,
  ExternalApiError,
  type Logger,
  type MessageTrace,
  type OutboundJob,
  type OutboundResult,
  outboundJobSchema,
  outboundResultSchema,
  type RedisClient,
  rethrowForBullMQ,
} from '@zaprelay/core';
import {
  type EvolutionClient,
  InvalidRecipientError,
  parseRecipient,
  type Recipient,
  sendFailureOutcome,
  type WuzapiClient,
} from '@zaprelay/gateway-clients';
import { DelayedError, type Job, type Queue, RateLimitError, UnrecoverableError } from 'bullmq';
import { enqueueNotSentActivity } from '../crm/not-sent-activity.js';
import { createInstanceMemory } from '../events/send-instance.js';
import { claimMessage, findEarlierSend } from './earlier-send.js';
import { notSentReason } from './not-sent-reason.js';
import { enqueueOutboundActivity } from './outbound-activity.js';
import { createReplicatedMark, ReplicasBehindError } from './replicated-mark.js';
import { readSendProgress, type SentProgress } from './send-progress.js';
import { wuzapiMessageId } from './wuzapi-message-id.js';

export interface OutboundWorkerDeps {
  /** A constructed worker-role client (BullMQ's connection; also holds our send claims). */
  connection: RedisClient;
  config: Config;
  logger: Logger;
  /** Needed for instances that WUZAPI_USER_TOKENS does not route to WUZAPI. */
  evolution?: EvolutionClient;
  /** Needed only when WUZAPI_USER_TOKENS routes instances to WUZAPI. */
  wuzapi?: WuzapiClient;
  /** The outbound queue itself: a 429 pauses it for Retry-After. */
  outboundQueue: Queue;
  crmQueue: Queue;
  /** Each send attempt and the gateway's message id, under the job id (GET /api/trace/:id). */
  trace?: MessageTrace;
}

function validJob(job: Job): { data: OutboundJob; recipient: Recipient } {
  const parsed = outboundJobSchema.safeParse(job.data);
  if (!parsed.success) {
    throw new UnrecoverableError(`invalid outbound job: ${describeIssues(parsed.error, '(data)')}`);
  }
  try {
    return { data: parsed.data, recipient: parseRecipient(parsed.data.to) };
  } catch (err) {
    if (err instanceof InvalidRecipientError) throw new UnrecoverableError(`invalid outbound job: ${err.message}`);
    throw err;
  }
}

/** How soon a send held back by replicas behind REDIS_WAIT_REPLICAS tries again. */
const REPLICAS_RECHECK_MS = 1000;

export function createOutboundProcessor(deps: OutboundWorkerDeps) {
  const { config, evolution, wuzapi, connection: redis } = deps;
  const baseLog = deps.logger.child({ component: 'outbound-worker' });
  const instances = createInstanceMemory(redis, config);
  const markReplicated = createReplicatedMark(redis, config);

  /** An agent's send (from the CRM) that fails for good also becomes a `[not sent]` activity on the contact. */
  async function tellTheAgent(job: Job, data: OutboundJob, recipient: Recipient, err: unknown, log: Logger) {
    const attempts = job.attemptsMade + 1;
    const final = err instanceof UnrecoverableError || attempts >= (job.opts.attempts ?? 1);
    if (
      !final ||
      err instanceof RateLimitError ||
      err instanceof DelayedError ||
      data.origin !== 'supercrm' ||
      !recipient.e164
    )
      return;
    const cause = err instanceof UnrecoverableError ? (err.cause ?? err) : err;
    const reason = notSentReason(cause, recipient.e164, attempts);
    await enqueueNotSentActivity(deps.crmQueue, {
      key: `outbound:${job.id}`,
      phone: recipient.e164,
      text: data.text,
      reason,
      instance: data.instance,
      gateway: byInstance(config.WUZAPI_USER_TOKENS, data.instance) !== undefined ? 'wuzapi' : 'evolution',
      contactId: data.contactId,
    });
    log.info({ attempts }, 'send failed for good: a [not sent] activity is queued for the agent');
  }

  async function sendViaWuzapi(job: Job, data: OutboundJob, recipient: Recipient, token: string) {
    if (!wuzapi) {
      throw new UnrecoverableError(`instance ${data.instance} sends through WUZAPI, but WUZAPI_API_URL is not set`);
    }
    // Our own Id makes every retry of this job the same WhatsApp message.
    const sent = await wuzapi.sendText(token, {
      phone: recipient.gatewayAddress,
      body: data.text,
      id: wuzapiMessageId(String(job.id), job.timestamp),
    });
    return { messageId: sent.messageId, chatJid: undefined };
  }

  async function sendViaEvolution(job: Job, data: OutboundJob, recipient: Recipient, log: Logger) {
    if (!evolution) {
      throw new UnrecoverableError(
        `instance ${data.instance} sends through Evolution API (it is not in WUZAPI_USER_TOKENS), but EVOLUTION_API_URL is not set`,
      );
    }
    const jobId = String(job.id);
    const previous = readSendProgress(job.progress);
    if (previous?.stage === 'sending') {
      const earlier = await findEarlierSend(
        { evolution, redis, prefix: config.QUEUE_PREFIX, logger: log },
        jobId,
        data,
        recipient,
        previous.since,
      );
      if (earlier) {
        log.info({ gatewayMessageId: earlier.messageId }, 'an earlier attempt had sent the message; not sending again');
        return { messageId: earlier.messageId, chatJid: earlier.remoteJid };
      }
      log.info('an earlier attempt with unknown outcome did not send; sending again');
    }
    const since = previous?.stage === 'sending' ? previous.since : Date.now();
    await job.updateProgress({ stage: 'sending', since });
    await markReplicated();
    const sent = await evolution.sendText(data.instance, { number: recipient.gatewayAddress, text: data.text });
    await claimMessage(redis, config.QUEUE_PREFIX, data.instance, sent.messageId, jobId);
    return { messageId: sent.messageId, chatJid: sent.remoteJid };
  }

  const traced = async (ids: string[], stage: string, fields: Record<string, string | number | undefined>) => {
    await deps.trace
      ?.record(ids, stage, fields)
      .catch((err: Error) => baseLog.warn({ err: { message: err.message } }, 'trace not written'));
  };

  async function send(
    job: Job,
    data: OutboundJob,
    recipient: Recipient,
    log: Logger,
    lockToken?: string,
  ): Promise<SentProgress> {
    const token = byInstance(config.WUZAPI_USER_TOKENS, data.instance);
    const gateway = token ? 'wuzapi' : 'evolution';
    const progressBefore = job.progress;
    const jobId = String(job.id);
    const attempt = job.attemptsMade + 1;
    // Written once the attempt is known not to be a wait for an open breaker (that is one `waiting` entry).
    const attempted = () =>
      traced([jobId], 'send-attempt', { jobId, attempt, gateway, instance: data.instance, origin: data.origin });
    try {
      const result = token
        ? await sendViaWuzapi(job, data, recipient, token)
        : await sendViaEvolution(job, data, recipient, log);
      const progress: SentProgress = {
        stage: 'sent',
        gateway,
        gatewayMessageId: result.messageId,
        chatJid: result.chatJid,
        sentAt: Date.now(),
      };
      await job.updateProgress(progress);
      log.info({ gateway, gatewayMessageId: result.messageId, attempt: job.attemptsMade + 1 }, 'message sent');
      await attempted();
      // Under the gateway's id too: its echo webhook and the CRM activity are traced under that one.
      await traced([jobId, result.messageId], 'sent', { jobId, attempt, gateway, gatewayMessageId: result.messageId });
      return progress;
    } catch (err) {
      if (err instanceof CircuitOpenError) {
        // Not sent this time: the breaker stopped it before it left, so no earlier send is in doubt.
        if (err.cause === undefined) await job.updateProgress(progressBefore);
        log.info(
          { gateway, retryInMs: err.retryInMs, attempt: job.attemptsMade + 1 },
          'gateway circuit open: send waits',
        );
        if (err.cause === undefined)
          await traced([jobId], 'waiting', { jobId, attempt, waitReason: 'breaker-open', api: err.api });
        else {
          await attempted();
          const error = err.cause instanceof Error ? err.cause.message : err.message;
          await traced([jobId], 'send-error', { jobId, attempt, gateway, error, outcome: 'circuit-opened' });
        }
        return rethrowForBullMQ(err, deps.outboundQueue, { job, token: lockToken });
      }
      if (err instanceof ReplicasBehindError) {
        // Not sent: the replicas are resyncing after a failover, or one is down (the ingress answers 503 meanwhile).
        // The send waits for them without using an attempt; spending its few attempts here dropped agents' sends.
        await job.updateProgress(progressBefore);
        // Info, as for the breaker: one line per send and second; the ingress's 503s say it louder.
        log.info(
          { acknowledged: err.acknowledged, replicas: err.replicas, attempt },
          'Redis replicas behind: send waits',
        );
        await traced([jobId], 'waiting', { jobId, attempt, waitReason: 'redis-replicas' });
        await job.moveToDelayed(Date.now() + REPLICAS_RECHECK_MS, lockToken);
        throw new DelayedError();
      }
      await attempted();
      if (!(err instanceof ExternalApiError)) throw err;
      const outcome = sendFailureOutcome(err);
      // A definite failure of the send itself means nothing went out, this time or (as the
      // look-up just said) before. A failed look-up leaves the earlier doubt in place, and an
      // unreadable 2xx did send: a manual retry will find that message instead of resending.
      if (gateway === 'evolution' && err.operation === 'sendText' && outcome === 'not-sent') {
        await job.updateProgress({ stage: 'not-sent' });
      }
      log.warn(
        {
          gateway,
          operation: err.operation,
          kind: err.kind,
          status: err.status,
          code: err.code,
          outcome,
          attempt: job.attemptsMade + 1,
        },
        'send failed',
      );
      await traced([jobId], 'send-error', { jobId, attempt, gateway, error: err.message, status: err.status, outcome });
      return rethrowForBullMQ(err, deps.outboundQueue);
    }
  }

  return async (job: Job, lockToken?: string): Promise<OutboundResult> => {
    const { data, recipient } = validJob(job);
    const log = baseLog.child({ jobId: job.id, instance: data.instance });
    const previous = readSendProgress(job.progress);
    // Sent by an earlier attempt that failed afterwards (CRM enqueue, Redis): finish, never resend.
    let sent: SentProgress;
    try {
      sent = previous?.stage === 'sent' ? previous : await send(job, data, recipient, log, lockToken);
    } catch (err) {
      await tellTheAgent(job, data, recipient, err, log);
      throw err;
    }
    if (recipient.e164) await instances.remember(recipient.e164, data.instance);
    await enqueueOutboundActivity(deps.crmQueue, data, recipient, sent, log);
    return outboundResultSchema.parse({ gatewayMessageId: sent.gatewayMessageId, gateway: sent.gateway });
  };
}
