import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { USER_AGENT, VERSION } from '../src/user-agent.js';

describe('USER_AGENT', () => {
  it("carries the package's version, as package.json says it", () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(VERSION).toBe(version);
    expect(USER_AGENT).toBe(`zaprelay/${version}`);
  });
});
