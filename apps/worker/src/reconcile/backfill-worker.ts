import type { RedisClient } from '@zaprelay/core';
import {
  type BackfillProgress,
  backfillJobSchema,
  backoffStrategyFor,
  baseWorkerOptions,
  byInstance,
  type Config,
  gatewayRetryPolicy,
  type Logger,
  QUEUES,
  rethrowForBullMQ,
} from '@zaprelay/core';
import type { EvolutionHistoryReader, WuzapiHistoryReader } from '@zaprelay/gateway-clients';
import { type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import { reconcileEvolution } from './evolution-reconciler.js';
import { queueScheduledRuns } from './schedule.js';
import type { SeenChats } from './seen-chats.js';
import type { ReadBackStore } from './store-read-back.js';
import { reconcileWuzapi } from './wuzapi-reconciler.js';

/** Between two requests to a gateway: a reconciliation never competes with live traffic for it. */
export const GATEWAY_READ_PAUSE_MS = 100;

export interface BackfillWorkerDeps {
  connection: RedisClient;
  config: Config;
  logger: Logger;
  backfillQueue: Queue;
  store: ReadBackStore;
  seenChats: SeenChats;
  evolution?: EvolutionHistoryReader;
  wuzapi?: WuzapiHistoryReader;
  pauseMs?: number;
}

const emptyProgress = (): BackfillProgress => ({ read: 0, known: 0, queued: 0, skipped: 0, notes: [] });

function progressOf(job: Job): BackfillProgress {
  const p = job.progress as Partial<BackfillProgress> | number;
  return typeof p === 'object' && p !== null
    ? { ...emptyProgress(), ...p, notes: [...(p.notes ?? [])] }
    : emptyProgress();
}

/**
 * Runs reconciliations one at a time per worker process: a gateway's stored
 * messages read back politely (sequential requests, a pause between them, the
 * gateway's retry policy with resume from the last finished window) and stored
 * through the same dedupe as webhooks. The CRM is reached only through the
 * events and CRM queues, i.e. through its limiter.
 */
export function createBackfillWorker(deps: BackfillWorkerDeps): Worker {
  const log = deps.logger.child({ component: 'reconcile' });
  const pause = () => new Promise<void>((r) => setTimeout(r, deps.pauseMs ?? GATEWAY_READ_PAUSE_MS));

  async function run(job: Job): Promise<BackfillProgress> {
    const data = backfillJobSchema.parse(job.data);
    const progress = progressOf(job);
    if (data.gateway === 'evolution') {
      if (!deps.evolution) throw new UnrecoverableError('EVOLUTION_API_URL / EVOLUTION_API_KEY are not set');
      return reconcileEvolution(
        deps.evolution,
        deps.store,
        { instance: data.instance, since: data.since, until: data.until, cursor: data.cursor, progress },
        {
          pause,
          async windowDone(cursor, p) {
            await job.updateData({ ...data, cursor });
            await job.updateProgress(p);
          },
        },
      );
    }
    const token = byInstance(deps.config.WUZAPI_USER_TOKENS, data.instance);
    if (!deps.wuzapi || !token)
      throw new UnrecoverableError(`no WUZAPI user token for ${data.instance} (WUZAPI_USER_TOKENS)`);
    return reconcileWuzapi(
      deps.wuzapi,
      deps.store,
      {
        instance: data.instance,
        userToken: token,
        chats: await deps.seenChats.recent(data.instance),
        since: data.since,
        until: data.until,
        // Counted afresh on a retry: WUZAPI has no cursor, rows already stored come back as known.
        progress: emptyProgress(),
      },
      { pause, chatDone: (p) => job.updateProgress(p) },
    );
  }

  return new Worker(
    QUEUES.backfill,
    async (job: Job) => {
      if (job.name === 'reconcile-tick') {
        const started = await queueScheduledRuns(deps.backfillQueue, deps.config);
        log.debug({ jobId: job.id, started }, 'scheduled reconciliation');
        return { started };
      }
      try {
        const result = await run(job);
        await job.updateProgress(result);
        log.info(
          { jobId: job.id, instance: job.data.instance, read: result.read, queued: result.queued, known: result.known },
          'reconciliation finished',
        );
        return result;
      } catch (err) {
        return rethrowForBullMQ(err, deps.backfillQueue);
      }
    },
    {
      ...baseWorkerOptions(deps.config, deps.connection, QUEUES.backfill),
      concurrency: 1,
      settings: { backoffStrategy: backoffStrategyFor(gatewayRetryPolicy(deps.config)) },
    },
  );
}
