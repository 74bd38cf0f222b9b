#!/usr/bin/env node
/** The `flotilla-director` executable (package.json `bin`): runs `main` and exits with its code once output is flushed. */
import { main } from './main.js';

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
