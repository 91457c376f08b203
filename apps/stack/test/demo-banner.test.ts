import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { planDemo } from '../src/demo-banner.js';

describe('demo mode', () => {
  it('listens on 127.0.0.1 only and says which parts are doubles', () => {
    const { env, banner } = planDemo({ HOST: '0.0.0.0' }, ['SuperCRM double at http://127.0.0.1:4100/v1']);
    expect(env.HOST).toBe('127.0.0.1');
    expect(banner.join('\n')).toContain(
      'DOUBLE SuperCRM double at http://127.0.0.1:4100/v1: nothing leaves this machine',
    );
    expect(banner.join('\n')).toContain('HOST=0.0.0.0 ignored in demo mode');
  });

  it('names a real CRM or gateway URL as real, and sends it no demo key', () => {
    const configured = { EVOLUTION_API_URL: 'https://evo.example.com' };
    const { env, banner } = planDemo(configured, ['SuperCRM double at http://127.0.0.1:4100/v1']);
    const text = banner.join('\n');
    expect(text).toContain('REAL   Evolution API at https://evo.example.com (EVOLUTION_API_URL)');
    expect(text).toContain('DOUBLE SuperCRM double');
    expect(env.EVOLUTION_API_KEY).toBeUndefined();
    expect(env.SUPER_CRM_API_KEY).toBe('demo-supercrm-key');
  });

  it('.env.example copied to .env: the demo serves its plain-HTTP login with a cookie that sticks', () => {
    const example = parseEnv(readFileSync(join(import.meta.dirname, '../../../.env.example'), 'utf8'));
    // As `pnpm start` reads it: a blank line means the default.
    const configured = Object.fromEntries(Object.entries(example).filter(([, v]) => v !== ''));
    const { env } = planDemo(configured, ['SuperCRM double at http://127.0.0.1:4100/v1']);
    expect({ ...configured, ...env }.DASHBOARD_PLAIN_HTTP).toBe('true');
    expect(env.HOST).toBe('127.0.0.1');
  });
});
