import {
  backoffStrategyFor,
  byInstance,
  CircuitOpenError,
  type Config,
  type CrmJob,
  crmJobSchema,
  crmRetryPolicy,
  describeIssues,
  ExternalApiError,
  type Logger,
  type MessageTrace,
  QUEUES,
  queuePrefix,
  type RedisClient,
  rethrowForBullMQ,
} from '@zaprelay/core';
import type { CrmClient } from '@zaprelay/supercrm-client';
import {
  DelayedError,
  type Job,
  type Queue,
  UnrecoverableError,
  WaitingError,
  Worker,
  type WorkerOptions,
} from 'bullmq';
import { breakerFor } from '../breaker/breakers.js';
import type { CircuitBreaker } from '../breaker/circuit-breaker.js';
import { guardClient } from '../breaker/guard-client.js';
import { createContactCache } from './contact-cache.js';
import { createContactNames } from './contact-names.js';
import { contactUpsertStep } from './contact-upsert-steps.js';
import { createCrmJobLifecycle } from './crm-job-lifecycle.js';
import { crmLimiterFor } from './crm-limiter.js';
import { createCrmSendWindow } from './crm-send-window.js';
import { messageActivityStep } from './message-activity-steps.js';
import { oneRequestBudget } from './one-request-budget.js';
import type { CrmJobResult, StepContext, StepOutcome } from './step-context.js';

export interface CrmWorkerDeps {
  /** A `worker`-role connection; also holds the phone → contact cache. */
  connection: RedisClient;
  config: Config;
  logger: Logger;
  crmClient: CrmClient;
  /** The CRM queue itself: a 429 pauses it for Retry-After (queue.rateLimit). */
  crmQueue: Queue;
  /** Shared worker settings (e.g. core's baseWorkerOptions); limiter and backoff stay ours. */
  workerOptions?: Partial<WorkerOptions>;
  /** Each attempt, error and the final ids of a message's activity (GET /api/trace/:messageId). */
  trace?: MessageTrace;
  /** The activity's metadata.user_token; defaults to WUZAPI_USER_TOKENS by instance, never from job data. */
  userTokenFor?: (instance: string) => string | undefined;
  /** The CRM's breaker (default: one from config, without transition alerts). */
  breaker?: CircuitBreaker;
}

function step(job: CrmJob, ctx: StepContext): Promise<StepOutcome<CrmJob>> {
  return job.kind === 'message-activity' ? messageActivityStep(job, ctx) : contactUpsertStep(job, ctx);
}

const describeError = (err: unknown) =>
  err instanceof ExternalApiError ? err.toJSON() : { message: err instanceof Error ? err.message : String(err) };

/**
 * The CRM queue's worker. A processing runs the job's steps until one has sent
 * a request; if work remains, the job stores its next step and goes back to
 * the queue, to wait for its own slot under the limiter.
 */
export function createCrmWorker(deps: CrmWorkerDeps): Worker<CrmJob, CrmJobResult> {
  const { config, crmQueue } = deps;
  if (crmQueue.name !== QUEUES.crm) throw new Error(`crmQueue must be the "${QUEUES.crm}" queue`);
  const log = deps.logger.child({ component: 'crm-worker' });
  const cache = createContactCache(deps.connection, config);
  const breaker = deps.breaker ?? breakerFor('supercrm', config, deps.connection);
  const lifecycle = createCrmJobLifecycle({
    redis: deps.connection,
    queue: crmQueue,
    config,
    logger: log,
    async crmUpSince() {
      const circuit = await breaker.state();
      if (circuit.state !== 'closed') return undefined;
      return circuit.since ? Date.parse(circuit.since) : 0;
    },
  });
  const names = createContactNames(deps.connection, config);
  const sendWindow = createCrmSendWindow({
    redis: deps.connection,
    prefix: config.QUEUE_PREFIX,
    max: config.SUPER_CRM_RATE_LIMIT_MAX,
    windowMs: config.SUPER_CRM_RATE_LIMIT_DURATION_MS,
    minSlackMs: config.SUPER_CRM_SEND_SLACK_MS,
  });
  // Every request passes the breaker, then takes its slot in the CRM's window right before it leaves.
  const crmClient = guardClient(deps.crmClient, {
    breaker,
    beforeSend: () => sendWindow.reserve(),
    openMs: config.CIRCUIT_OPEN_MS,
  });

  async function processJob(job: Job<CrmJob, CrmJobResult>, token?: string): Promise<CrmJobResult> {
    const parsed = crmJobSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`invalid CRM job: ${describeIssues(parsed.error, '(data)')}`);
    }
    let data = await lifecycle.prepare(parsed.data);
    const messageId = data.kind === 'message-activity' ? data.message.messageId : undefined;
    const traced = async (stage: string, fields: Record<string, string | number | undefined>) => {
      if (!messageId || !deps.trace) return;
      await deps.trace
        .record([messageId], stage, { jobId: job.id, attempt: job.attemptsMade + 1, ...fields })
        .catch((err: Error) => log.warn({ jobId: job.id, err: { message: err.message } }, 'trace not written'));
    };
    const budget = oneRequestBudget(crmClient);
    const ctx: StepContext = {
      client: budget.client,
      cache,
      names,
      now: () => new Date().toISOString(),
      userTokenFor: deps.userTokenFor ?? ((instance) => byInstance(config.WUZAPI_USER_TOKENS, instance)),
    };
    // One `crm-attempt` per processing that sent its request (or ended), naming the step that did: a wait for
    // the chat or for the breaker is a `waiting` entry instead.
    let attemptStep: string | undefined;
    let attempted = false;
    const attempt = async () => {
      if (attempted || attemptStep === undefined) return;
      attempted = true;
      await traced('crm-attempt', { step: attemptStep });
    };
    try {
      for (;;) {
        const gate = await lifecycle.hold(job.id as string, data);
        if ('wait' in gate && budget.spent()) break; // it checks again on its next turn
        if ('wait' in gate) {
          // Waits for an earlier message of its chat without using an attempt; that one promotes it when done.
          await job.updateData(gate.wait.data);
          await job.moveToDelayed(gate.wait.until, token);
          await traced('waiting', {
            waitReason: 'chat-order',
            heldBy: gate.wait.heldBy,
            until: new Date(gate.wait.until).toISOString(),
          });
          await lifecycle.recheck(job, gate.wait.data);
          throw new DelayedError();
        }
        data = gate.go;
        if (!budget.spent()) attemptStep = data.step;
        const outcome = await step(data, ctx);
        if (budget.spent() || 'done' in outcome) await attempt();
        if ('done' in outcome) {
          await lifecycle.done(job.id as string, data);
          log.info({ jobId: job.id, kind: data.kind, ...outcome.done }, 'crm job done');
          await traced('crm-done', { ...outcome.done });
          return outcome.done;
        }
        data = outcome.next;
        if (budget.spent()) break;
      }
    } catch (err) {
      // Its own move to the delayed set (a wait for its chat): not a failure, nothing to log or trace.
      if (err instanceof DelayedError) throw err;
      // A job the open breaker held back sent nothing: one line per job and outage would drown the log.
      const held = err instanceof CircuitOpenError && err.cause === undefined;
      const transient =
        err instanceof CircuitOpenError || (err instanceof ExternalApiError && err.kind !== 'permanent');
      const level = held ? 'debug' : transient ? 'warn' : 'error';
      log[level]({ jobId: job.id, kind: data.kind, step: data.step, err: describeError(err) }, 'crm step failed');
      const described = describeError(err);
      if (held && err instanceof CircuitOpenError) {
        // Nothing was sent: one `waiting` entry for the whole outage, not an error per turn.
        await traced('waiting', { waitReason: 'breaker-open', api: err.api });
        return rethrowForBullMQ(err, crmQueue, { job, token });
      }
      await attempt();
      // A failure that opened the breaker: what the CRM answered is the news, not the breaker's state.
      const failure = err instanceof CircuitOpenError && err.cause instanceof ExternalApiError ? err.cause : err;
      await traced('crm-error', {
        step: data.step,
        error: String(describeError(failure).message ?? described.message ?? 'error'),
        status: failure instanceof ExternalApiError ? failure.status : undefined,
        permanent: failure instanceof ExternalApiError && failure.kind === 'permanent' ? 'yes' : undefined,
        breaker: failure !== err ? 'opened' : undefined,
      });
      return rethrowForBullMQ(err, crmQueue, { job, token });
    }
    await job.updateData(data);
    await job.moveToWait(token);
    log.debug({ jobId: job.id, kind: data.kind, step: data.step }, 'crm job requeued for its next request');
    throw new WaitingError();
  }

  const worker = new Worker<CrmJob, CrmJobResult>(QUEUES.crm, processJob, {
    connection: deps.connection,
    prefix: queuePrefix(config, QUEUES.crm),
    concurrency: config.WORKER_CONCURRENCY,
    ...deps.workerOptions,
    limiter: crmLimiterFor(
      config.SUPER_CRM_RATE_LIMIT_MAX,
      config.SUPER_CRM_RATE_LIMIT_DURATION_MS,
      config.SUPER_CRM_SEND_SLACK_MS,
    ),
    settings: {
      ...deps.workerOptions?.settings,
      backoffStrategy: backoffStrategyFor(crmRetryPolicy(config)),
    },
  });
  // A message that failed for good stops holding its chat (it stays in the failed set).
  worker.on('failed', (job) => {
    if (!job?.finishedOn) return; // going to be retried
    const parsed = crmJobSchema.safeParse(job.data);
    if (!parsed.success) return;
    lifecycle
      .failedForGood(job.id as string, parsed.data)
      .catch((err) =>
        log.warn({ jobId: job.id, err: describeError(err) }, 'chat order: could not release a failed job'),
      );
  });
  return worker;
}
