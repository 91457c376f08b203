/** Share of the window kept free for the time between a job's activation and its request reaching the CRM. */
export const CRM_LIMITER_MARGIN = 0.01;

/**
 * That time is absolute (event loop, a new connection, the network), not a
 * share of the window: a short window (tests, a strict CRM plan) still keeps
 * this much free. Measured locally: ~4 ms usually, ~15 ms for a cold first
 * request, but over 100 ms on a two-core machine busy with several worker
 * processes and Redis, which broke a 50 ms slack. The default window (60 s)
 * keeps 600 ms free anyway, so this only costs short windows some throughput.
 */
export const CRM_LIMITER_MIN_SLACK_MS = 200;

/**
 * BullMQ's limiter for the CRM queue, given the CRM's limit of `max` requests
 * in any `durationMs` window.
 *
 * Why not `{ max, duration }`: BullMQ counts a FIXED window that opens with
 * its first job, while SuperCRM counts a SLIDING window. N requests at the end
 * of one fixed window and N at the start of the next land in one sliding
 * window: up to 2N−1 where N are allowed.
 *
 * One job per slot of `(W + slack)/N` instead, slack = max(margin·W, min slack):
 * any N+1 consecutive activations then span at least W + slack, so their
 * requests span more than W even when one reaches the CRM up to `slack` later
 * than its job was activated. With the defaults (100 per 60 s) that is one job
 * per 606 ms, ≈99 % of the limit. The limiter lives in Redis, so this holds
 * across every worker process; each processing sends at most one request, so
 * jobs counted are requests sent.
 */
export function crmLimiterFor(
  max: number,
  durationMs: number,
  margin = CRM_LIMITER_MARGIN,
  minSlackMs = CRM_LIMITER_MIN_SLACK_MS,
) {
  const slackMs = Math.max(durationMs * margin, minSlackMs);
  return { max: 1, duration: Math.ceil((durationMs + slackMs) / max) };
}
