import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_QUEUES, redisMemoryArgs } from '@zaprelay/core';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'test' ? [] : sources(path);
    return path.endsWith('.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

/** `zaprelay_…` names in a text, histogram suffixes folded into their metric. */
const metricNames = (text: string) =>
  new Set([...text.matchAll(/\bzaprelay_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')));

/** Node's default metrics, registered by prom-client under our prefix. */
const isDefault = (name: string) => /^zaprelay_(process|nodejs)_/.test(name);

describe('deploy/: Grafana dashboard and Prometheus rules', () => {
  const code = [...sources(join(root, 'apps')), ...sources(join(root, 'packages'))].join('\n');
  const exported = new Set([...code.matchAll(/name: '(zaprelay_[a-z0-9_]+)'/g)].map((m) => m[1] as string));
  const readmeTable = metricNames(read('README.md').slice(read('README.md').indexOf('## Metrics')));

  it('the README metrics table lists every metric zaprelay exports', () => {
    expect(exported.size).toBeGreaterThan(10);
    expect([...exported].filter((name) => !readmeTable.has(name))).toEqual([]);
  });

  it('the dashboard and the alert rules use only metrics that exist', () => {
    const dashboard = JSON.parse(read('deploy/grafana/zaprelay-dashboard.json')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    expect(dashboard.panels.length).toBeGreaterThan(8);
    const used = new Set([
      ...metricNames(dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n')),
      ...metricNames(read('deploy/prometheus/zaprelay-alerts.yml')),
      ...metricNames(read('deploy/k8s/keda-scaledobject.yaml')),
    ]);
    expect([...used].filter((name) => !exported.has(name) && !isDefault(name))).toEqual([]);
    expect(read('deploy/prometheus/zaprelay-alerts.yml')).toMatch(/alert: ZaprelayWebhooksRefused/);
    expect(read('deploy/prometheus/zaprelay-alerts.yml')).toMatch(/alert: ZaprelayCircuitOpen/);
  });

  it('the dashboard shows every metric zaprelay exports (a metric added later gets its panel)', () => {
    const dashboard = JSON.parse(read('deploy/grafana/zaprelay-dashboard.json')) as {
      panels: Array<{ targets: Array<{ expr: string }> }>;
    };
    const shown = metricNames(dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n'));
    expect([...exported].filter((name) => !shown.has(name))).toEqual([]);
  });
});

describe('deploy/k8s: KEDA scales the event workers on the whole backlog', () => {
  it('reads the logical events queue (every shard summed) in the waiting, prioritized and delayed states', () => {
    const keda = read('deploy/k8s/keda-scaledobject.yaml');
    expect(keda).toMatch(/zaprelay_queue_jobs\{queue=~?"events[^"]*", state=~"waiting\|prioritized\|delayed"\}/);
  });
});

describe('worker roles in the compose cluster file, the k8s example and the docs', () => {
  /** Every WORKER_QUEUES value a file sets (YAML `WORKER_QUEUES: a,b` or k8s `{ name: WORKER_QUEUES, value: "a,b" }`). */
  const roles = (text: string) =>
    [...text.matchAll(/WORKER_QUEUES(?::|, value:) *"?([\w,-]+)"?/g)].map((m) => (m[1] as string).split(','));

  it.each(['docker-compose.cluster.yml', 'deploy/k8s/workers.yaml'])(
    '%s: every queue has a worker (a queue nobody serves waits forever)',
    (file) => {
      const served = new Set(roles(read(file)).flat());
      expect(served.size).toBeGreaterThan(0);
      expect(ALL_QUEUES.filter((q) => !served.has(q))).toEqual([]);
    },
  );

  it.each(['README.md', '.env.example'])('%s gives the whole default list of WORKER_QUEUES', (file) => {
    // The longest list given is the default one (the others are role examples).
    const lists = [...read(file).matchAll(/WORKER_QUEUES=([\w,-]+)/g)].map((m) => (m[1] as string).split(','));
    const longest = lists.sort((a, b) => b.length - a.length)[0] ?? [];
    expect(longest.sort()).toEqual([...ALL_QUEUES].sort());
  });
});

describe('the ingress runs with the same heap flags wherever it is started', () => {
  /** V8 flags of `pnpm start:prod:ingress` (the bench and the compiled-build test run that script's arguments). */
  const heapFlags = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts[
    'start:prod:ingress'
  ]
    ?.split(/\s+/)
    .filter((word) => /^--(max-semi-space-size|heap-growing-percent|v8-pool-size)=/.test(word));

  it("start:prod:ingress bounds the young generation, the old space growth and V8's helper threads", () => {
    expect(heapFlags).toHaveLength(3);
  });

  it.each(['Dockerfile', 'docker-compose.yml', 'docker-compose.cluster.yml', 'deploy/k8s/ingress.yaml'])(
    '%s: the ingress command carries them',
    (file) => {
      // Each command as its quoted words, on one line or spread over several (as the YAML formatter lays it out).
      const commands = [...read(file).matchAll(/\[([^\]]*)\]/g)]
        .map((array) => [...(array[1] as string).matchAll(/"([^"]*)"/g)].map((word) => word[1]))
        .filter((words) => words.includes('ingress/dist/main.bundle.js'));
      expect(commands.length).toBeGreaterThan(0);
      for (const command of commands) {
        expect(command).toEqual(['node', ...(heapFlags ?? []), 'ingress/dist/main.bundle.js']);
      }
    },
  );
});

describe("the Redis of both compose files runs with zaprelay's memory settings", () => {
  it.each(['docker-compose.yml', 'docker-compose.cluster.yml'])('%s', (file) => {
    const servers = [...read(file).matchAll(/\[([^\]]*"redis-server"[^\]]*)\]/g)].map((array) =>
      [...(array[1] as string).matchAll(/"([^"]*)"/g)].map((word) => word[1]).join(' '),
    );
    expect(servers.length).toBeGreaterThan(0);
    for (const server of servers) expect(server).toContain(redisMemoryArgs().join(' '));
  });
});
