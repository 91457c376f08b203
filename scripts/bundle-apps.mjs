// `pnpm build`, second step: each app's compiled entry (tsc's apps/<app>/dist/main.js) and everything it imports,
// workspace packages and node_modules alike, as one ES module, apps/<app>/dist/main.bundle.js, which production runs.
// Why: loading ~750 modules one by one (resolution, reads, the CommonJS-from-ESM lexer) was most of a process's
// start-up, ~0.45 of its ~0.6 s; one file loads in ~0.2 s. It is bundled, not minified, so stack traces keep names.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Left to node_modules at run time: Bull Board finds its UI's files (views, static assets) next to its own
 * package, and msgpackr's optional native string extractor is a compiled addon (BullMQ only packs with msgpackr,
 * which does not use it).
 */
const EXTERNAL = ['@bull-board/*', 'msgpackr-extract'];

// CommonJS dependencies call require(); an ES module has none of its own.
const REQUIRE_SHIM =
  "import { createRequire as zaprelayCreateRequire } from 'node:module';\n" +
  'const require = zaprelayCreateRequire(import.meta.url);';

for (const app of ['ingress', 'worker', 'dashboard']) {
  await build({
    absWorkingDir: root,
    entryPoints: [`apps/${app}/dist/main.js`],
    outfile: `apps/${app}/dist/main.bundle.js`,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // The workspace packages' compiled output, as `node --conditions=zaprelay-compiled` would pick it.
    conditions: ['zaprelay-compiled'],
    external: EXTERNAL,
    banner: { js: REQUIRE_SHIM },
    logLevel: 'warning',
  });
}
