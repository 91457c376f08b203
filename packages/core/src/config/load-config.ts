import type { z } from 'zod';
import { loadDotEnv } from './dot-env.js';
import { type Config, crossVariableProblems, envSchema } from './env-schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describe(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = String(issue.path[0] ?? '(environment)');
  const value = env[name];
  const shown =
    value === undefined ? '' : ` (got ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  // Secrets must not be echoed back, even when wrong.
  const safe = /KEY|TOKEN|SECRET|PASSWORD/.test(name) ? '' : shown;
  return `${name}: ${issue.message}${safe}`;
}

/**
 * Validates the environment once. Empty strings count as unset, as a blank line
 * in a .env file means "use the default".
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(present);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => describe(i, present)));
  const problems = crossVariableProblems(result.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

/**
 * For main.ts: `.env` first (when reading the process environment), then print
 * one line per bad variable and exit 1, never a stack trace.
 */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  if (env === process.env) loadDotEnv(process.env);
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`zaprelay: ${err.message}\n`);
    process.exit(1);
  }
}
