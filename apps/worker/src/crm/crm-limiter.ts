/** Share of the window kept free for the time between a slot's reservation (crm-send-window.ts) and its request reaching the CRM. */
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
 * The shortest fixed window BullMQ's limiter is given. Each window costs the
 * workers one "limited" round (wait out the key's TTL, fetch again), a few
 * ms: one job per window of 10 ms (6,000 per minute) made that round the
 * bottleneck at ~150 jobs/s, and 24 per 250 ms still lost ~6 %.
 */
export const CRM_LIMITER_MIN_PERIOD_MS = 1000;

/** At most this share of the CRM's limit is activated per window: how far a flood can get ahead of a live message. */
export const CRM_LIMITER_MAX_SHARE = 1 / 50;

/** How long past the window a slot is held (crm-send-window.ts): the limiter paces at the same (window + slack). */
export function crmSlackMs(durationMs: number, minSlackMs = CRM_LIMITER_MIN_SLACK_MS, margin = CRM_LIMITER_MARGIN) {
  return Math.max(durationMs * margin, minSlackMs);
}

/** The time one request's slot stands for: the window plus its slack, shared out over the CRM's `max`. */
export function crmSlotMs(max: number, durationMs: number, minSlackMs = CRM_LIMITER_MIN_SLACK_MS): number {
  return (durationMs + crmSlackMs(durationMs, minSlackMs)) / max;
}

/**
 * BullMQ's limiter for the CRM queue, given the CRM's limit of `max` requests
 * in any `durationMs` window. Two jobs share the work:
 *
 * - The send-window reservation (crm-send-window.ts) keeps the CRM's sliding
 *   window: every request takes a slot in Redis right before it leaves, shared
 *   by every worker. That is what guarantees "never over the limit".
 * - This limiter paces activations at the same rate, k jobs per k slots, with
 *   k the fewest that make a window at least CRM_LIMITER_MIN_PERIOD_MS but no
 *   more than CRM_LIMITER_MAX_SHARE of the limit. BullMQ
 *   activates in priority order, so pacing here, not in the reservation, is
 *   what keeps a live message ahead of an address book: a job activated
 *   before its slot is free waits in the reservation, where priorities no
 *   longer count. BullMQ counts fixed windows, so at a window's boundary up to
 *   2k jobs can be activated at once; that, at most, is how far a flood can
 *   get ahead of a later live message (k = 1 up to ~120 requests a minute).
 */
export function crmLimiterFor(max: number, durationMs: number, minSlackMs = CRM_LIMITER_MIN_SLACK_MS) {
  const slotMs = crmSlotMs(max, durationMs, minSlackMs);
  const perWindow = Math.max(
    1,
    Math.min(Math.floor(CRM_LIMITER_MIN_PERIOD_MS / slotMs), Math.floor(max * CRM_LIMITER_MAX_SHARE)),
  );
  return { max: perWindow, duration: Math.ceil(perWindow * slotMs) };
}
