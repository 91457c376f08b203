import { createRequire } from 'node:module';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The contract asks for `<project-name>/<version>`. */
export const USER_AGENT = `zaprelay/${version}`;
