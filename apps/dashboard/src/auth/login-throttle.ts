export interface LoginThrottleOptions {
  /** Wrong credentials one client may send within the window before it is refused. */
  maxFailures: number;
  windowMs: number;
  /** Clients tracked at once; the oldest are dropped beyond it, so a flood of addresses cannot grow memory. */
  maxClients?: number;
}

interface Failures {
  count: number;
  firstAt: number;
}

/**
 * Counts wrong credentials per client address and refuses further attempts
 * once a client has made too many, until its window has passed. Only failures
 * count (an operator's script using basic auth on every request is never
 * throttled); a success clears the count.
 *
 * Why not @fastify/rate-limit: it counts every request and cannot tell a
 * failed login from a good one before the credentials are checked.
 */
export function createLoginThrottle({ maxFailures, windowMs, maxClients = 10_000 }: LoginThrottleOptions) {
  const failures = new Map<string, Failures>();
  const current = (client: string, now: number): Failures | undefined => {
    const entry = failures.get(client);
    if (entry && now - entry.firstAt >= windowMs) {
      failures.delete(client);
      return undefined;
    }
    return entry;
  };
  return {
    /** Milliseconds until `client` may try again; 0 when it may try now. */
    retryAfterMs(client: string, now: number): number {
      const entry = current(client, now);
      return entry && entry.count >= maxFailures ? entry.firstAt + windowMs - now : 0;
    },
    failed(client: string, now: number): void {
      const entry = current(client, now);
      if (entry) {
        entry.count++;
        return;
      }
      if (failures.size >= maxClients) failures.delete(failures.keys().next().value as string);
      failures.set(client, { count: 1, firstAt: now });
    },
    succeeded(client: string): void {
      failures.delete(client);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
