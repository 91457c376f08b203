import { Redis } from 'ioredis';
import { hasRedisServerBinary, startRedisServer } from '../redis/redis-server.js';

export interface ProvidedRedis {
  url: string;
  description: string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 3000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function fromTestcontainers(): Promise<ProvidedRedis | undefined> {
  try {
    const { GenericContainer, getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    const container = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
    const url = `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
    return {
      url,
      description: `testcontainers redis:7-alpine at ${url}`,
      stop: async () => {
        await container.stop();
      },
    };
  } catch {
    return undefined;
  }
}

/** The order the harness promises: REDIS_URL, redis-server on PATH, testcontainers, else a clear failure. */
export async function provideRedis(workDir: string): Promise<ProvidedRedis> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    if (!(await answers(fromEnv))) {
      throw new Error(`REDIS_URL=${fromEnv} is set but Redis does not answer there; start it or unset REDIS_URL.`);
    }
    // A Redis we did not start: tests only touch keys under their own unique prefixes.
    return { url: fromEnv, description: `REDIS_URL (${fromEnv})`, stop: async () => {} };
  }
  if (hasRedisServerBinary()) {
    const local = await startRedisServer({ dir: workDir, persist: false });
    return { url: local.url, description: `private redis-server on port ${local.port}`, stop: local.stop };
  }
  const container = await fromTestcontainers();
  if (container) return container;
  throw new Error(
    'The tests need a real Redis. Provide one of: (1) REDIS_URL pointing at a Redis you run, ' +
      '(2) a `redis-server` binary on PATH (e.g. `apt-get install redis-server`), or ' +
      '(3) a running Docker engine for testcontainers.',
  );
}
