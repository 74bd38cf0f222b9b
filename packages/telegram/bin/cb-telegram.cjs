#!/usr/bin/env node
'use strict';
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
import('../dist/cli/main.js')
  .then(({ main }) => main(process.argv.slice(2)))
  .then((code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code))));
