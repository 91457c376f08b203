import { describe, expect, it } from 'vitest';
import { loadConfig, sentinelOptions, sentinelTarget } from '../src/index.js';

describe('Sentinel connection options', () => {
  it('is off without REDIS_SENTINELS', () => {
    expect(sentinelTarget(loadConfig({}))).toBeUndefined();
  });

  it('asks the Sentinels for the named master and keeps password and db from REDIS_URL', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://:s%40cret@ignored-host:6379/2',
      REDIS_SENTINELS: '10.0.0.1:26379,10.0.0.2:26379',
      REDIS_SENTINEL_NAME: 'relay',
      REDIS_SENTINEL_PASSWORD: 'sentinel-pass',
    });
    const target = sentinelTarget(config);
    expect(target).toBeDefined();
    const options = sentinelOptions(config.REDIS_URL, target as NonNullable<typeof target>);
    expect(options).toMatchObject({
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
      ],
      name: 'relay',
      role: 'master',
      sentinelPassword: 'sentinel-pass',
      password: 's@cret',
      db: 2,
      failoverDetector: true,
    });
    // A demoted master answers READONLY: reconnecting asks the Sentinels again.
    const reconnect = options.reconnectOnError as (err: Error) => boolean;
    expect(reconnect(new Error("READONLY You can't write against a read only replica."))).toBe(true);
    expect(reconnect(new Error('ERR unknown command'))).toBe(false);
  });
});
