/**
 * The `cb` executable (`bin/cb.js` imports this). Runs the command, then exits with its code once
 * stdout and stderr are flushed. The only place that exits the process.
 */
import { processContext } from './context.js';
import { runCli } from './run-cli.js';

const code = await runCli(process.argv.slice(2), processContext());
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
