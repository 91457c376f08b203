import { testRedisUrl } from '@zaprelay/test-kit/vitest';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type Doubles, startDoubles } from './doubles.js';
import { openStackQueues, type StackQueues } from './stack-queues.js';
import { type SystemStack, type SystemStackOptions, startSystemStack } from './system-stack.js';

export interface SystemFixture {
  readonly doubles: Doubles;
  readonly stack: SystemStack;
  readonly queues: StackQueues;
}

/**
 * For a describe block: the doubles, an ingress with its workers and the queue inspector, started before its
 * tests and torn down after them; a failing test prints the processes' last lines.
 */
export function useSystemStack(
  options: Omit<SystemStackOptions, 'redisUrl' | 'crm' | 'evolution'> & {
    /** Read once the suite's own setup ran (a scenario may start its own Redis); default the run's Redis. */
    redisUrl?: () => string;
    /** Variables known only once the suite's own setup ran (a cluster's nodes), merged over `env`. */
    lateEnv?: () => Record<string, string>;
    /** The CRM double's own limit, when a scenario checks ours against it; default far above any scenario. */
    crmLimit?: { max: number; windowMs: number };
  },
): SystemFixture {
  let started: SystemFixture | undefined;
  let doubles: Doubles | undefined;
  let stack: SystemStack | undefined;
  let queues: StackQueues | undefined;

  beforeAll(async () => {
    doubles = await startDoubles(options.crmLimit);
    stack = await startSystemStack({
      ...options,
      env: { ...options.env, ...options.lateEnv?.() },
      redisUrl: options.redisUrl?.() ?? testRedisUrl(),
      ...doubles,
    });
    queues = openStackQueues(stack.env);
    started = { doubles, stack, queues };
  });
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => console.log(stack?.outputTail()));
  });
  afterAll(async () => {
    await queues?.close();
    await stack?.close();
    await doubles?.close();
  });

  const get = (): SystemFixture => {
    if (!started) throw new Error('the system stack is not started (use it inside a test)');
    return started;
  };
  return {
    get doubles() {
      return get().doubles;
    },
    get stack() {
      return get().stack;
    },
    get queues() {
      return get().queues;
    },
  };
}
