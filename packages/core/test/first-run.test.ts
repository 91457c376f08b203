import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { envSchema, loadConfig, loadDotEnv } from '../src/index.js';

const root = join(import.meta.dirname, '../../..');
const example = parseEnv(readFileSync(join(root, '.env.example'), 'utf8'));

describe('first run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zaprelay-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads .env into the environment, never over a variable already set', () => {
    writeFileSync(join(dir, '.env'), 'PORT=4000\nLOG_LEVEL=debug\n# comment\nAPI_TOKEN="quoted-token-0123456789"\n');
    const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn' };
    expect(loadDotEnv(env, dir)).toBe(join(dir, '.env'));
    expect(env).toEqual({ PORT: '4000', LOG_LEVEL: 'warn', API_TOKEN: 'quoted-token-0123456789' });
    expect(loadDotEnv({}, join(dir, 'missing'))).toBeUndefined();
  });

  it('.env.example, copied to .env, is a valid configuration that runs the demo', () => {
    expect(() => loadConfig(example)).not.toThrow();
    // Unset, so `pnpm start` starts its own Redis and the doubles.
    for (const name of ['REDIS_URL', 'SUPER_CRM_BASE_URL', 'EVOLUTION_API_URL']) expect(example[name], name).toBe('');
  });

  it('.env.example documents every variable of the schema', () => {
    const missing = Object.keys(envSchema.shape).filter((name) => !(name in example));
    expect(missing).toEqual([]);
  });

  it('.dockerignore keeps .env out of the image', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toContain('.env');
  });
});
