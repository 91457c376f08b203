import type { Metrics } from 'bullmq';

export const MINUTE_MS = 60_000;
export const SERIES_MINUTES = 60;

/**
 * Turns BullMQ's metrics into counts for the last `SERIES_MINUTES` minutes,
 * oldest first, ending with the current minute.
 *
 * BullMQ keeps `meta.count` (all time), `meta.prevTS`/`prevCount` (the minute
 * of the latest finished job and the count before it) and `data`, newest
 * first, one entry per whole minute before prevTS's minute. Minutes after
 * prevTS saw no jobs at all, which is why they are not in `data`.
 */
export function perMinuteSeries(metrics: Metrics, nowMs: number): number[] {
  const series = new Array<number>(SERIES_MINUTES).fill(0);
  if (!metrics.meta.prevTS) return series;
  const nowMinute = Math.floor(nowMs / MINUTE_MS);
  const lastMinute = Math.floor(metrics.meta.prevTS / MINUTE_MS);
  const put = (minute: number, value: number) => {
    const index = SERIES_MINUTES - 1 - (nowMinute - minute);
    if (index >= 0 && index < SERIES_MINUTES) series[index] = Math.max(0, value);
  };
  put(lastMinute, metrics.meta.count - metrics.meta.prevCount);
  for (const [i, value] of metrics.data.entries()) put(lastMinute - 1 - i, value);
  return series;
}

export function addSeries(a: number[], b: number[]): number[] {
  return a.map((v, i) => v + (b[i] ?? 0));
}
