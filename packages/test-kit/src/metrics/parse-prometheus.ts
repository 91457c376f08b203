import parse from 'parse-prometheus-text-format';

export interface MetricFamily {
  name: string;
  help: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string>; buckets?: Record<string, string> }>;
}

/**
 * Parses Prometheus text exposition with an independent parser (not
 * prom-client, which wrote it), so a malformed line fails the test.
 */
export function parsePrometheusText(text: string): MetricFamily[] {
  return parse(text) as MetricFamily[];
}
