import { collectDefaultMetrics, Registry } from 'prom-client';

/** One registry per process (never prom-client's global), so tests can build many. */
export function createMetricsRegistry(processName: string, { defaults = true } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process: processName });
  if (defaults) collectDefaultMetrics({ register: registry, prefix: 'zaprelay_' });
  return registry;
}
