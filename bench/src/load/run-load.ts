import { startBenchProcess } from '../infra/bench-process.js';
import type { ChildRegistry } from '../infra/child-registry.js';

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bodyBytes: number;
}

export interface LoadSpec {
  url: string;
  connections: number;
  /** Either a duration or a fixed number of requests. */
  durationSeconds?: number;
  amount?: number;
  headers?: Record<string, string>;
}

/** Runs autocannon in a separate process against `url`. */
export function runLoad(children: ChildRegistry, spec: LoadSpec): Promise<LoadResult> {
  return startBenchProcess<LoadResult>(children, 'load/autocannon-child.ts', spec).result;
}
