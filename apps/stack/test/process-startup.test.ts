import { type AppProcess, freePort, startAppProcess, waitForHttp } from '@zaprelay/test-kit';
import { testRedisUrl, uniquePrefix } from '@zaprelay/test-kit/vitest';
import { afterAll, describe, expect, it } from 'vitest';

const apps = ['ingress', 'worker', 'dashboard'] as const;

describe.each(apps)('%s process', (app) => {
  it.each([
    ['PORT', 'abc'],
    ['EVOLUTION_RETRY_MAX_ATTEMPTS', '-1'],
  ])('exits 1 naming %s when it is %s, without a stack trace', async (name, value) => {
    const proc = startAppProcess(app, { [name]: value, LOG_LEVEL: 'silent' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(new RegExp(`^\\s+${name}: `, 'm'));
    expect(proc.output()).not.toMatch(/^\s+at /m);
  });
});

describe('the three processes', () => {
  const running: AppProcess[] = [];
  afterAll(() => {
    for (const proc of running) proc.kill('SIGKILL');
  });

  it('each answers GET /health/live with a real Redis and nothing else configured', async () => {
    const [port, dashboardPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: uniquePrefix('startup'),
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DASHBOARD_PORT: String(dashboardPort),
      WORKER_METRICS_PORT: String(metricsPort),
      DASHBOARD_USER: 'admin',
      DASHBOARD_PASSWORD: 'startup-test-password',
      API_TOKEN: 'startup-test-api-token',
      WEBHOOK_AUTH: 'none',
      EVOLUTION_MONITORING_ENABLED: 'false',
    };
    for (const app of apps) running.push(startAppProcess(app, env));
    for (const p of [port, metricsPort, dashboardPort]) {
      expect(await waitForHttp(`http://127.0.0.1:${p}/health/live`)).toBe(200);
    }
    expect(await waitForHttp(`http://127.0.0.1:${port}/health/ready`)).toBe(200);
  }, 40_000);
});
