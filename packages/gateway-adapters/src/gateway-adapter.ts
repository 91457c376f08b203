import type { GatewaySource, WebhookEventJob } from '@zaprelay/core';
import type { NormalisedEvent } from './normalised-event.js';

/**
 * Turns one queued webhook event into the events the worker acts on. Pure: no
 * I/O, no clock except as a fallback for a missing timestamp (`job.receivedAt`).
 *
 * Returns `[]` never: every input yields at least one event (a `skipped` or
 * `ignored` one when there is no work), so the worker can count everything.
 * Throws only `InvalidPayloadError`, for a payload that is not the gateway's
 * format for that event (fail the job permanently; it will not get better).
 */
export interface GatewayAdapter {
  readonly source: GatewaySource;
  normalise(job: WebhookEventJob): NormalisedEvent[];
}
