import { type Logger, type OutboundJob, type RedisClient, toExternalApiError } from '@zaprelay/core';
import { type EvolutionClient, isSameRecipient, type Recipient } from '@zaprelay/gateway-clients';

/** WhatsApp's clock and ours may disagree; the search window allows for it. */
const CLOCK_SKEW_MS = 2 * 60_000;
/** A claim only has to outlive the retries of the send it protects. */
const CLAIM_TTL_SECONDS = 24 * 60 * 60;

const claimKey = (prefix: string, instance: string, messageId: string) =>
  `${prefix}:outbound:claims:${instance}:${messageId}`;

/**
 * Marks a gateway message as the result of one job, so that a job looking
 * for its own lost send cannot take another job's identical message
 * (same text, same recipient, same minutes) for it.
 */
export async function claimMessage(
  redis: RedisClient,
  prefix: string,
  instance: string,
  messageId: string,
  jobId: string,
): Promise<boolean> {
  const key = claimKey(prefix, instance, messageId);
  if ((await redis.set(key, jobId, 'EX', CLAIM_TTL_SECONDS, 'NX')) === 'OK') return true;
  return (await redis.get(key)) === jobId;
}

export interface EarlierSendContext {
  evolution: EvolutionClient;
  redis: RedisClient;
  prefix: string;
  logger: Logger;
}

/**
 * Evolution has no idempotency key, so after an attempt whose outcome is
 * unknown we ask it whether that message went out (our own messages it stored
 * since the attempt, same text, same chat) before sending again.
 * Returns undefined when it did not: then sending again is the right thing.
 * Throws (retry later, still in doubt) when Evolution cannot answer right now.
 */
export async function findEarlierSend(
  ctx: EarlierSendContext,
  jobId: string,
  data: OutboundJob,
  recipient: Recipient,
  attemptSince: number,
): Promise<{ messageId: string; remoteJid?: string } | undefined> {
  let candidates: Awaited<ReturnType<EvolutionClient['findSentMessages']>>;
  try {
    candidates = await ctx.evolution.findSentMessages(data.instance, {
      since: new Date(attemptSince - CLOCK_SKEW_MS),
      until: new Date(Date.now() + CLOCK_SKEW_MS),
    });
  } catch (err) {
    const failure = toExternalApiError(err, 'evolution', 'findMessages');
    if (failure.kind !== 'permanent') throw failure;
    // An Evolution without the route (or that refuses it) cannot tell us: at-least-once is all that is left.
    ctx.logger.warn(
      { status: failure.status, code: failure.code },
      'cannot look up an earlier send whose outcome is unknown; sending again',
    );
    return undefined;
  }
  const matches = candidates
    .filter(
      (m) =>
        m.text === data.text &&
        (isSameRecipient(recipient, m.remoteJid) || isSameRecipient(recipient, m.remoteJidAlt)) &&
        (m.timestampMs === undefined || m.timestampMs >= attemptSince - CLOCK_SKEW_MS),
    )
    .sort((a, b) => (a.timestampMs ?? 0) - (b.timestampMs ?? 0));
  for (const match of matches) {
    if (await claimMessage(ctx.redis, ctx.prefix, data.instance, match.messageId, jobId)) {
      return { messageId: match.messageId, remoteJid: match.remoteJid };
    }
  }
  return undefined;
}
