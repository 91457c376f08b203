/**
 * This package's version, written out rather than read from package.json at run time: the production bundle
 * (scripts/bundle-apps.mjs) has no package.json beside it. A test keeps the two equal.
 */
export const VERSION = '0.1.0';

/** The contract asks for `<project-name>/<version>`. */
export const USER_AGENT = `zaprelay/${VERSION}`;
