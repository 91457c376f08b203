/** What the double can be told to do to the next matching requests. */
export type SuperCrmFault =
  | { type: 'unavailable' }
  | { type: 'rate-limited'; retryAfterSeconds?: number }
  | { type: 'delay'; ms: number }
  /** Answer this status (e.g. a 422 the client must not retry) without touching the data. */
  | { type: 'status'; status: number }
  /** Commit the write, then destroy the socket without answering: a lost response. */
  | { type: 'drop-response-after-commit' };

export type FaultRule = SuperCrmFault & {
  /** How many requests it applies to (default 1). */
  times?: number;
  method?: string;
  /** Exact path (`/contacts/ct_1/activities`), route (`/contacts/:id/activities`) or a RegExp on the path. */
  path?: string | RegExp;
};

interface ArmedFault {
  fault: SuperCrmFault;
  left: number;
  method?: string;
  path?: string | RegExp;
}

export function createFaultPlan() {
  let armed: ArmedFault[] = [];
  return {
    add({ times = 1, method, path, ...fault }: FaultRule) {
      armed.push({ fault: fault as SuperCrmFault, left: times, method: method?.toUpperCase(), path });
    },
    clear() {
      armed = [];
    },
    pending(): number {
      return armed.reduce((sum, a) => sum + a.left, 0);
    },
    /** The first armed fault matching the request, used up by one. */
    take(method: string, path: string, route: string | undefined): SuperCrmFault | undefined {
      const match = armed.find(
        (a) =>
          a.left > 0 &&
          (!a.method || a.method === method) &&
          (!a.path || (a.path instanceof RegExp ? a.path.test(path) : a.path === path || a.path === route)),
      );
      if (!match) return undefined;
      match.left--;
      armed = armed.filter((a) => a.left > 0);
      return match.fault;
    },
  };
}
