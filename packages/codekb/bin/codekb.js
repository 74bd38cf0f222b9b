#!/usr/bin/env node
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
await import('../dist/cli/main.js');
