#!/usr/bin/env node
'use strict';
// `cb "prompt"` must return in about the time Node takes to start: that form runs from one
// CommonJS bundle (dist/cli/fast.cjs) and never starts the ESM loader. Every other command, and
// any invocation the fast path declines, loads the full CLI (dist/cli/main.js).
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
let fast = null;
try {
  fast = require('../dist/cli/fast.cjs');
} catch {
  // not built (a source checkout mid-build): the full CLI does everything
}
(fast ? fast.runFast(process.argv.slice(2)) : Promise.resolve(null)).then((code) => {
  if (code === null) return import('../dist/cli/main.js');
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  return undefined;
});
