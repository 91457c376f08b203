import type { Config } from '@zaprelay/core';
import type { EventIntake } from '../enqueue/event-intake.js';
import type { IngressMetrics } from '../http/ingress-metrics.js';

export interface WebhookRouteDeps {
  config: Config;
  intake: EventIntake;
  metrics: IngressMetrics;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
