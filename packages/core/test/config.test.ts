import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/index.js';

describe('loadConfig', () => {
  it('applies the seed defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: 3000,
      DASHBOARD_PORT: 3001,
      WORKER_METRICS_PORT: 9464,
      EVOLUTION_RETRY_MAX_ATTEMPTS: 3,
      EVOLUTION_RETRY_DELAY_MS: 1000,
      EVOLUTION_RETRY_BACKOFF_FACTOR: 2,
      EVOLUTION_RETRY_MAX_DELAY_MS: 30_000,
      EVOLUTION_MONITORING_ENABLED: true,
      EVOLUTION_MONITORING_INTERVAL_MS: 5000,
      EVOLUTION_MONITORING_MAX_HISTORY: 1000,
      SUPER_CRM_BASE_URL: 'https://api.supercrm.com/v1',
      SUPER_CRM_RATE_LIMIT_MAX: 100,
      SUPER_CRM_RATE_LIMIT_DURATION_MS: 60_000,
      LOG_LEVEL: 'info',
    });
    expect(config.WEBHOOK_BODY_LIMIT_BYTES).toBeGreaterThanOrEqual(16 * 1024 * 1024);
  });

  it('coerces strings and treats empty values as unset', () => {
    const config = loadConfig({ PORT: '8080', EVOLUTION_MONITORING_ENABLED: 'false', API_TOKEN: '' });
    expect(config.PORT).toBe(8080);
    expect(config.EVOLUTION_MONITORING_ENABLED).toBe(false);
    expect(config.API_TOKEN).toBeUndefined();
  });

  it('names every bad variable at once, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'abc',
        EVOLUTION_RETRY_MAX_ATTEMPTS: '-1',
        REDIS_URL: 'http://nope',
        DASHBOARD_PASSWORD: 'short',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith('PORT:'))).toContain('"abc"');
    expect(problems.find((p) => p.startsWith('EVOLUTION_RETRY_MAX_ATTEMPTS:'))).toContain('at least 1');
    expect(problems.find((p) => p.startsWith('REDIS_URL:'))).toContain('redis://');
    const password = problems.find((p) => p.startsWith('DASHBOARD_PASSWORD:'));
    expect(password).toBeDefined();
    expect(password).not.toContain('short');
  });

  it('parses the WUZAPI instance token map', () => {
    const config = loadConfig({ WUZAPI_USER_TOKENS: 'shop:tok1, support:tok2' });
    expect(config.WUZAPI_USER_TOKENS?.get('support')).toBe('tok2');
    expect(() => loadConfig({ WUZAPI_USER_TOKENS: 'nocolon' })).toThrow(/WUZAPI_USER_TOKENS/);
  });

  it('parses the Sentinel list and bounds the replica wait', () => {
    const config = loadConfig({ REDIS_SENTINELS: '10.0.0.1:26379, sentinel-b:26380' });
    expect(config.REDIS_SENTINELS).toEqual([
      { host: '10.0.0.1', port: 26379 },
      { host: 'sentinel-b', port: 26380 },
    ]);
    expect(config.REDIS_SENTINEL_NAME).toBe('mymaster');
    expect(config.REDIS_WAIT_REPLICAS).toBe(0);
    expect(() => loadConfig({ REDIS_SENTINELS: '10.0.0.1' })).toThrow(/REDIS_SENTINELS: must be a comma-separated/);
    expect(() => loadConfig({ REDIS_WAIT_TIMEOUT_MS: '5000' })).toThrow(/REDIS_WAIT_TIMEOUT_MS: must be at most 1500/);
  });

  it('refuses REDIS_WAIT_REPLICAS on a cluster, naming both variables (WAIT covers one master only)', () => {
    const cluster = { REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001' };
    expect(() => loadConfig({ ...cluster, REDIS_WAIT_REPLICAS: '1' })).toThrow(
      /REDIS_WAIT_REPLICAS: is not supported with REDIS_CLUSTER_NODES/,
    );
    expect(loadConfig({ ...cluster, REDIS_WAIT_REPLICAS: '0' }).REDIS_WAIT_REPLICAS).toBe(0);
    expect(loadConfig({ REDIS_SENTINELS: '10.0.0.1:26379', REDIS_WAIT_REPLICAS: '1' }).REDIS_WAIT_REPLICAS).toBe(1);
  });
});
