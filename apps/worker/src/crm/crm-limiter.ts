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
 * BullMQ's limiter for the CRM queue, given the CRM's limit of `max` requests
 * in any `durationMs` window: only a cap on how many jobs are activated.
 *
 * The CRM's sliding window itself is kept by the send-window reservation
 * (crm-send-window.ts): every request takes a slot in Redis right before it
 * leaves, shared by every worker, and waits while the window is full. So
 * BullMQ no longer has to space jobs (it used to run `{max: 1}`, one job per
 * (W + slack)/N, whose per-activation overhead — the worker is told "limited",
 * waits out a key's TTL, fetches again — capped a large plan at ~150 requests
 * per second). BullMQ counts a FIXED window, which can pass up to 2·max in a
 * sliding one; twice the CRM's rate per window means it never binds before
 * the reservation does, while still bounding how many activated jobs can sit
 * waiting for a slot.
 */
export function crmLimiterFor(max: number, durationMs: number) {
  return { max: 2 * max, duration: durationMs };
}
