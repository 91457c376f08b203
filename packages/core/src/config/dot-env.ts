import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Reads `.env` (or ZAPRELAY_ENV_FILE) from the working directory into `env`,
 * as docker compose's env_file does: variables already set win, so the
 * environment (CI, compose, a shell export) always overrides the file.
 * Returns the file read, if any. Node's own parser (util.parseEnv, 20.12+).
 */
export function loadDotEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  const path = resolve(cwd, env.ZAPRELAY_ENV_FILE ?? '.env');
  if (!existsSync(path)) return undefined;
  const values = parseEnv(readFileSync(path, 'utf8'));
  for (const [name, value] of Object.entries(values)) if (env[name] === undefined) env[name] = value;
  return path;
}
