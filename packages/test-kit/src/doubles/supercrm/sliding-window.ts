/**
 * SuperCRM's limit: at most `max` requests per API key in any window of
 * `windowMs`, every authenticated request counted, refused ones included.
 */
export interface SlidingWindowVerdict {
  allowed: boolean;
  remaining: number;
  /** Whole seconds until a request would be allowed again (only when refused). */
  retryAfterSeconds?: number;
}

export function createSlidingWindow(max: number, windowMs: number) {
  const arrivals = new Map<string, number[]>();
  return {
    /** Counts a request arriving at `now` and says whether it may be served. */
    admit(key: string, now: number): SlidingWindowVerdict {
      const times = (arrivals.get(key) ?? []).filter((t) => t > now - windowMs);
      const before = times.length;
      times.push(now);
      arrivals.set(key, times);
      if (before < max) return { allowed: true, remaining: max - before - 1 };
      // Free again once the request that would be the max-th from the end has left the window.
      const blocking = times[times.length - max] ?? now;
      return {
        allowed: false,
        remaining: 0,
        retryAfterSeconds: Math.max(1, Math.ceil((blocking + windowMs - now) / 1000)),
      };
    },
  };
}

/** The most requests any window of `windowMs` saw, as the limiter counts them: t in (start, start + windowMs]. */
export function maxInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first++;
    best = Math.max(best, last - first + 1);
  }
  return best;
}
