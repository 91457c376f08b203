import type { LoadResult } from '../load/run-load.js';
import type { DeploymentResults } from '../phases/deployment-phase.js';

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const perSec = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;
const ms = (n: number) => `${n.toFixed(1)} ms`;

/** The Sentinel/WAIT and compiled-build figures, as a section of BENCHMARKS.md; empty when not measured. */
export function renderDeployment(d: DeploymentResults | undefined): string {
  const parts: string[] = [];
  if (d?.wait) {
    const { single, aofEverysec, waitReplicas0: w0, waitReplicas1: w1 } = d.wait;
    const row = (mode: string, r: LoadResult) =>
      `| ${mode} | ${perSec(r.requestsPerSecond)} | ${((r.requestsPerSecond / single.requestsPerSecond) * 100).toFixed(0)} % | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} |`;
    parts.push(`### What each Redis mode costs the ingress

The real ingress, same load as the ingress row above, one mode after the other. Sentinel: a master, one replica and
three Sentinels on this machine, so the replica's acknowledgement is a loopback round trip (the best case; add
the network round trip to the replica in production).

| Redis | webhooks/s | vs one Redis | p50 | p99 |
| --- | --- | --- | --- | --- |
${row('one Redis, no persistence', single)}
${row('one Redis, AOF everysec', aofEverysec)}
${row('Sentinel, REDIS_WAIT_REPLICAS=0', w0)}
${row('Sentinel, REDIS_WAIT_REPLICAS=1', w1)}`);
  }
  if (d?.compiled) {
    const { tsx, compiled } = d.compiled;
    parts.push(`### Compiled build (\`pnpm build\`, node on each app's bundle) vs tsx

| ingress | RSS idle | RSS peak under load | webhooks/s |
| --- | --- | --- | --- |
| tsx (\`pnpm start:ingress\`) | ${mb(tsx.idleBytes)} | ${mb(tsx.peakBytes)} | ${perSec(tsx.requestsPerSecond)} |
| compiled (\`pnpm start:prod:ingress\`) | ${mb(compiled.idleBytes)} | ${mb(compiled.peakBytes)} | ${perSec(compiled.requestsPerSecond)} |`);
  }
  return parts.length ? `## Sentinel and the compiled build\n\n${parts.join('\n\n')}\n\n` : '';
}
