import type { DashboardStatus, QueueStatus } from '@zaprelay/core';
import { JOB_STATES } from '@zaprelay/core';
import { contentSecurityPolicy, escapeHtml, renderPage } from '../html.js';
import { renderThroughputChart } from './throughput-chart.js';

export const STATUS_REFRESH_MS = 5000;

const NO_DATA = '<p class="empty">No data yet: the monitor has not written anything.</p>';

function badge(status: string): string {
  return `<span class="badge ${escapeHtml(status)}">${escapeHtml(status)}</span>`;
}

/** "12 s ago" relative to when the status was collected, with the exact time on hover. */
function when(at: string | undefined, generatedAt: string): string {
  if (!at) return '<span class="muted">–</span>';
  const seconds = Math.round((Date.parse(generatedAt) - Date.parse(at)) / 1000);
  const text = Number.isNaN(seconds)
    ? at
    : seconds < 60
      ? `${Math.max(0, seconds)} s ago`
      : seconds < 3600
        ? `${Math.round(seconds / 60)} min ago`
        : `${Math.round(seconds / 3600)} h ago`;
  return `<time datetime="${escapeHtml(at)}" title="${escapeHtml(at)}">${escapeHtml(text)}</time>`;
}

function instancesSection(s: DashboardStatus): string {
  const rows = s.instances
    .map(
      (
        i,
      ) => `<tr data-instance="${escapeHtml(i.instance)}"><td>${escapeHtml(i.instance)}</td><td>${escapeHtml(i.source)}</td>
<td>${badge(i.status)}</td><td>${escapeHtml(i.state)}</td><td>${when(i.checkedAt, s.generatedAt)}</td>
<td class="num">${i.responseTimeMs === undefined ? '–' : `${Math.round(i.responseTimeMs)} ms`}</td><td>${escapeHtml(i.error ?? '')}</td></tr>`,
    )
    .join('');
  const table = `<table><thead><tr><th>Instance</th><th>Gateway</th><th>Health</th><th>Connection</th><th>Checked</th><th class="num">Response</th><th>Error</th></tr></thead><tbody>${rows}</tbody></table>`;
  return `<section id="instances" class="wide"><h2>WhatsApp instances</h2>${s.instances.length ? table : NO_DATA}</section>`;
}

function apisSection(s: DashboardStatus): string {
  const rows = s.apis
    .map(
      (
        a,
      ) => `<tr data-api="${escapeHtml(a.name)}"><td>${escapeHtml(a.name)}</td><td>${badge(a.status)}</td><td>${when(a.checkedAt, s.generatedAt)}</td>
<td class="num">${a.errorRate === undefined ? '–' : `${(a.errorRate * 100).toFixed(1)} %`}</td><td>${escapeHtml([...(a.reasons ?? []), a.error ?? ''].filter(Boolean).join('; '))}</td>
<td data-circuit="${escapeHtml(a.circuit)}">${badge(a.circuit)} ${a.circuitSince ? `since ${when(a.circuitSince, s.generatedAt)}` : ''}</td></tr>`,
    )
    .join('');
  const table = `<table><thead><tr><th>API</th><th>Health</th><th>Checked</th><th class="num">Errors</th><th>Why</th><th>Circuit</th></tr></thead><tbody>${rows}</tbody></table>`;
  return `<section id="apis"><h2>External APIs</h2>${s.apis.length ? table : NO_DATA}</section>`;
}

function crmSection(s: DashboardStatus): string {
  const { used, limit, windowMs } = s.crm;
  const share = limit > 0 ? used / limit : 0;
  const level = share >= 1 ? 'full' : share >= 0.8 ? 'high' : '';
  return `<section id="crm"><h2>CRM rate limit</h2>
<p><strong data-crm-used>${used}</strong> of ${limit} requests in the last ${Math.round(windowMs / 1000)} s</p>
<div class="bar ${level}"><span style="width:${Math.min(100, Math.round(share * 100))}%"></span></div></section>`;
}

function queuesSection(s: DashboardStatus): string {
  const head = JOB_STATES.map((state) => `<th class="num">${escapeHtml(state)}</th>`).join('');
  const row = (q: Omit<QueueStatus, 'shards'>, attribute: string, label: string) =>
    `<tr ${attribute}="${escapeHtml(q.name)}"><td>${label}<a href="admin/queues/queue/${encodeURIComponent(q.name)}">${escapeHtml(q.name)}</a>${
      q.paused ? ' <span class="badge degraded">paused</span>' : ''
    }</td>${JOB_STATES.map((state) => `<td class="num" data-state="${state}">${q.counts[state]}</td>`).join('')}</tr>`;
  // A sharded queue is one row (the sums), then a row per shard.
  const rows = s.queues
    .map((q) => row(q, 'data-queue', '') + (q.shards ?? []).map((shard) => row(shard, 'data-shard', '↳ ')).join(''))
    .join('');
  return `<section id="queues" class="wide"><h2>Queues</h2><table><thead><tr><th>Queue</th>${head}</tr></thead><tbody>${rows}</tbody></table></section>`;
}

function alertsSection(s: DashboardStatus): string {
  const rows = s.alerts
    .map(
      (a) =>
        `<tr><td>${when(a.at, s.generatedAt)}</td><td>${escapeHtml(a.subject)}</td><td>${a.from && a.to ? `${badge(a.from)} → ${badge(a.to)}` : escapeHtml(a.type)}</td><td>${escapeHtml(a.reason)}</td></tr>`,
    )
    .join('');
  const table = `<table><thead><tr><th>When</th><th>Subject</th><th>Change or condition</th><th>Reason</th></tr></thead><tbody>${rows}</tbody></table>`;
  return `<section id="alerts" class="wide"><h2>Recent alerts</h2>${s.alerts.length ? table : '<p class="empty">No alerts.</p>'}</section>`;
}

/** Shown only when the Redis the jobs live in may lose them. */
function redisSection(s: DashboardStatus): string {
  const problems = [s.redis?.refused, s.redis?.warning].filter((p): p is string => p !== undefined);
  if (problems.length === 0) return '';
  const lines = problems.map((p) => `<p class="error" data-redis-problem>${escapeHtml(p)}</p>`).join('');
  const verdict = s.redis?.refused
    ? '<p><strong>Every process answers 503 on /health/ready until this is fixed.</strong></p>'
    : '';
  return `<section id="redis" class="wide"><h2>Redis</h2>${lines}${verdict}</section>`;
}

/** The part of the page that refreshes: a pure function of the collected status. */
export function renderStatusSections(s: DashboardStatus): string {
  const skipped = s.skippedEntries
    ? `<section class="wide"><p class="error">${s.skippedEntries} monitor entries could not be read and are not shown.</p></section>`
    : '';
  const lidWaiting = s.lidWaiting
    ? `<section id="lid-waiting" class="wide"><p class="error">${s.lidWaiting} message(s) from @lid chats wait for their phone number; they are synced as soon as an event tells it.</p></section>`
    : '';
  return [
    redisSection(s),
    lidWaiting,
    instancesSection(s),
    apisSection(s),
    crmSection(s),
    queuesSection(s),
    `<section id="throughput" class="wide"><h2>Jobs per minute, last hour (all queues)</h2>${renderThroughputChart(s.throughput)}</section>`,
    alertsSection(s),
    skipped,
  ].join('\n');
}

const REFRESH_SCRIPT = `(() => {
  const live = document.getElementById('live');
  const updated = document.getElementById('updated');
  const stale = document.getElementById('stale');
  async function refresh() {
    try {
      const res = await fetch('status/sections', { headers: { accept: '*/*' }, cache: 'no-store', credentials: 'same-origin' });
      if (res.status === 401) { location.assign('login?next=' + encodeURIComponent(location.pathname)); return; }
      if (!res.ok) throw new Error('HTTP ' + res.status);
      live.innerHTML = await res.text();
      updated.textContent = new Date().toISOString().slice(11, 19) + ' UTC';
      stale.hidden = true;
    } catch (err) {
      stale.textContent = 'Could not refresh (' + err.message + '); the data below may be old.';
      stale.hidden = false;
    }
  }
  setInterval(refresh, ${STATUS_REFRESH_MS});
})();`;

export interface StatusPageOptions {
  readOnly: boolean;
  /** False when the dashboard runs open (read-only without credentials): nothing to log out of. */
  canLogOut: boolean;
  nonce: string;
}

export function statusPageCsp(nonce: string): string {
  return contentSecurityPolicy(nonce);
}

export function renderStatusPage(s: DashboardStatus, options: StatusPageOptions): string {
  const logout = options.canLogOut
    ? '<form method="post" action="logout" style="margin:0"><button type="submit">Sign out</button></form>'
    : '';
  const readOnly = options.readOnly ? '<span class="badge degraded">read-only</span>' : '';
  return renderPage({
    title: 'zaprelay status',
    body: `<header><h1>zaprelay status ${readOnly}</h1>
<span class="muted">updated <span id="updated">${escapeHtml(s.generatedAt.slice(11, 19))} UTC</span></span>
<a href="admin/queues">Queues (Bull Board)</a><a href="api/status.json">JSON</a>${logout}</header>
<p id="stale" class="stale" hidden></p>
<main id="live">${renderStatusSections(s)}</main>`,
    scriptNonce: options.nonce,
    script: REFRESH_SCRIPT,
  });
}
