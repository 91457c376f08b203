import type { GatewaySource, WebhookEventJob } from '@zaprelay/core';
import { createEvolutionAdapter } from './evolution-adapter.js';
import type { GatewayAdapter } from './gateway-adapter.js';
import { InvalidPayloadError } from './invalid-payload-error.js';
import type { NormalisedEvent } from './normalised-event.js';
import { createWuzapiAdapter } from './wuzapi-adapter.js';

export type GatewayAdapters = Readonly<Record<GatewaySource, GatewayAdapter>>;

export function createGatewayAdapters(): GatewayAdapters {
  return { evolution: createEvolutionAdapter(), wuzapi: createWuzapiAdapter() };
}

/**
 * Picks the adapter by `job.source`. SuperCRM jobs are not gateway events:
 * asking for them is a wiring mistake, reported as InvalidPayloadError.
 */
export function normaliseGatewayEvent(adapters: GatewayAdapters, job: WebhookEventJob): NormalisedEvent[] {
  if (job.source === 'supercrm') {
    throw new InvalidPayloadError('supercrm', job.event, [{ path: 'source', message: 'not a gateway event' }]);
  }
  return adapters[job.source].normalise(job);
}
