#!/usr/bin/env node
// Bundles dist/cli/fast-entry.js and what it imports into dist/cli/fast.cjs (see fast-entry.ts).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
await build({
  entryPoints: [`${root}dist/cli/fast-entry.js`],
  outfile: `${root}dist/cli/fast.cjs`,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Error reporting loads the protocol (zod): it stays an ES module, imported only when needed.
  plugins: [{ name: 'keep-external', setup: (b) => b.onResolve({ filter: /^\.\/report-error\.js$/ }, (a) => ({ path: a.path, external: true })) }],
  // The bundle sits beside dist/cli/*.js, so `import.meta.url` paths stay right; version.ts's
  // `../package.json` does not, so the version is written in.
  define: { 'import.meta.url': '__cbModuleUrl', __CB_VERSION__: JSON.stringify(version) },
  banner: { js: "const __cbModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
