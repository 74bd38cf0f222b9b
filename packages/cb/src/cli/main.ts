/**
 * The `cb` executable (`bin/cb.cjs` imports this). Runs the command, then exits with its code once
 * stdout and stderr are flushed. The only place that exits the process.
 */
import { processContext } from './context.js';
import { runCli } from './run-cli.js';

// `cb ls | head -1`: a reader that went away is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const code = await runCli(process.argv.slice(2), processContext());
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
