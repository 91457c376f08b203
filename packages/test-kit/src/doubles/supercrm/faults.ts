/** What the double can be told to do to the next matching requests. */
export type SuperCrmFault =
  | { type: 'unavailable' }
  | { type: 'rate-limited'; retryAfterSeconds?: number }
  | { type: 'delay'; ms: number }
  /** Answer this status (e.g. a 422 the client must not retry) without touching the data. */
  | { type: 'status'; status: number }
  /** Commit the write, then destroy the socket without answering: a lost response. */
  | { type: 'drop-response-after-commit' }
  /**
   * Hold each matching request until `count` of them are in flight, then let them all through
   * (or after `timeoutMs`, default 5 s): makes "at the same time" certain rather than likely.
   */
  | { type: 'barrier'; count: number; timeoutMs?: number };

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

type BarrierFault = Extract<SuperCrmFault, { type: 'barrier' }>;

/** The waiting rooms of `barrier` faults: one per armed rule (every take of a rule returns the same object). */
export function createBarriers() {
  const rooms = new WeakMap<BarrierFault, Array<() => void>>();
  return {
    arrive(fault: BarrierFault): Promise<void> {
      const waiting = rooms.get(fault) ?? [];
      rooms.set(fault, waiting);
      return new Promise<void>((release) => {
        const timer = setTimeout(release, fault.timeoutMs ?? 5000);
        waiting.push(() => {
          clearTimeout(timer);
          release();
        });
        if (waiting.length >= fault.count) for (const go of waiting.splice(0)) go();
      });
    },
  };
}
