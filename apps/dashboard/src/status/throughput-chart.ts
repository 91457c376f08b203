import type { DashboardStatus } from '@zaprelay/core';
import { escapeHtml } from '../html.js';

const WIDTH = 1100;
const HEIGHT = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };
const COLORS = { processed: '#1a7f37', failed: '#cf222e' };

/**
 * Processed and failed jobs per minute over the last hour as inline SVG:
 * a pair of bars per minute, so sparse minutes stay visible and one series
 * never hides the other.
 */
export function renderThroughputChart(throughput: DashboardStatus['throughput']): string {
  const { processed, failed } = throughput;
  const max = Math.max(1, ...processed, ...failed);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const baseline = HEIGHT - PAD.bottom;
  const plotHeight = baseline - PAD.top;
  const slot = (WIDTH - PAD.left - PAD.right) / Math.max(1, processed.length);
  const barWidth = Math.max(1, slot / 2 - 1);

  const bars = (values: number[], offset: number, color: string, label: string) =>
    values
      .map((v, i) => {
        if (v <= 0) return '';
        const h = Math.max(1, (v / max) * plotHeight);
        const minutesAgo = values.length - 1 - i;
        return `<rect x="${(PAD.left + i * slot + offset).toFixed(1)}" y="${(baseline - h).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"><title>${v} ${label}, ${minutesAgo} min ago</title></rect>`;
      })
      .join('');

  const grid = [0, 0.5, 1]
    .map((f) => {
      const y = PAD.top + (1 - f) * plotHeight;
      return `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" stroke="#d0d7de" stroke-dasharray="3 3"/>
<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end" font-size="11" fill="#57606a">${escapeHtml(Math.round(max * f))}</text>`;
    })
    .join('');

  return `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="Jobs per minute, last hour">
${grid}
<text x="${PAD.left}" y="${HEIGHT - 8}" font-size="11" fill="#57606a">60 min ago</text>
<text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" font-size="11" fill="#57606a" text-anchor="end">now</text>
${bars(processed, 0, COLORS.processed, 'processed')}${bars(failed, barWidth + 1, COLORS.failed, 'failed')}
</svg>
<p class="muted"><span style="color:${COLORS.processed}">■</span> processed: <strong data-total="processed">${sum(processed)}</strong> in the last hour
&nbsp; <span style="color:${COLORS.failed}">■</span> failed: <strong data-total="failed">${sum(failed)}</strong></p>`;
}
