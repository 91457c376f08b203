const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Everything from Redis or a request is text, never markup. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const STYLE = `
:root { color-scheme: light; --ok:#1a7f37; --warn:#9a6700; --bad:#cf222e; --muted:#57606a; --line:#d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { display:flex; align-items:center; gap:1rem; padding:.75rem 1.5rem; background:#24292f; color:#fff; }
header h1 { font-size:1.1rem; margin:0; flex:1; }
header .muted { color:#d0d7de; }
header a, header button { color:#fff; background:none; border:1px solid #57606a; border-radius:6px; padding:.3rem .7rem; font:inherit; cursor:pointer; text-decoration:none; }
main { padding: 1rem 1.5rem; display:grid; gap:1rem; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); }
section { background:#fff; border:1px solid var(--line); border-radius:8px; padding: .75rem 1rem; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 1rem; margin: 0 0 .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align:left; padding:.3rem .5rem; border-bottom:1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
.badge { display:inline-block; padding:.05rem .5rem; border-radius:999px; font-size:.8rem; font-weight:600; color:#fff; background: var(--muted); }
.badge.healthy { background: var(--ok); } .badge.degraded { background: var(--warn); } .badge.down { background: var(--bad); }
.badge.closed { background: var(--ok); } .badge.half-open { background: var(--warn); } .badge.open { background: var(--bad); }
.empty, .muted { color: var(--muted); }
.bar { height:10px; background:#eaeef2; border-radius:5px; overflow:hidden; margin:.4rem 0; }
.bar > span { display:block; height:100%; background: var(--ok); }
.bar.high > span { background: var(--warn); } .bar.full > span { background: var(--bad); }
.stale { background:#fff8c5; border:1px solid #d4a72c; padding:.4rem .8rem; border-radius:6px; margin: .75rem 1.5rem 0; }
form.login { max-width: 340px; margin: 10vh auto; background:#fff; border:1px solid var(--line); border-radius:8px; padding:1.5rem; display:grid; gap:.75rem; }
form.login input { font:inherit; padding:.45rem .6rem; border:1px solid var(--line); border-radius:6px; width:100%; }
form.login button { font:inherit; padding:.5rem; border:0; border-radius:6px; background:#1f883d; color:#fff; cursor:pointer; }
.error { color: var(--bad); }
`;

export interface PageOptions {
  title: string;
  body: string;
  /** Nonce of the page's one inline script, matched by its Content-Security-Policy. */
  scriptNonce?: string;
  script?: string;
}

export function renderPage({ title, body, scriptNonce, script }: PageOptions): string {
  const scriptTag = script && scriptNonce ? `<script nonce="${escapeHtml(scriptNonce)}">${script}</script>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}${scriptTag}</body></html>`;
}

/** Our own pages load nothing from elsewhere and run only the script they carry. */
export function contentSecurityPolicy(scriptNonce?: string): string {
  const script = scriptNonce ? `'nonce-${scriptNonce}'` : "'none'";
  return `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; script-src ${script}`;
}
