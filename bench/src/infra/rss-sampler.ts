import { readFileSync } from 'node:fs';

/** Resident set size of a process in bytes, from /proc (Linux). */
export function readRss(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process' RSS every `everyMs` until stopped; reports the peak and the last sample. */
export function sampleRss(pid: number, everyMs = 200) {
  let peak = 0;
  let last = 0;
  let samples = 0;
  const take = () => {
    const rss = readRss(pid);
    if (rss === undefined) return;
    samples++;
    last = rss;
    peak = Math.max(peak, rss);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peakBytes: peak, lastBytes: last, samples };
    },
  };
}
