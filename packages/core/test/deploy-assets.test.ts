import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
