/**
 * `flotilla-director metrics`: the `/metrics` text printed once from the ledger (for cron users, or
 * Prometheus's textfile collector), the same document `start --metrics-port` serves.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitError, type DirectorCliContext } from '../cli/context.js';
import { DEFAULT_CONFIG, ledgerExists, ledgerPath, readConfig, stateDirOf, type GlobalOptions } from '../cli/setup.js';
import { ledgerMetricsText } from './ledger-metrics.js';

export async function printMetrics(ctx: DirectorCliContext, options: GlobalOptions): Promise<void> {
  const stateDir = options.config === undefined && !existsSync(resolve(ctx.cwd, DEFAULT_CONFIG)) ? stateDirOf(ctx, undefined, null) : (await readConfig(ctx, options)).stateDir;
  if (!ledgerExists(stateDir)) throw new ExitError(1, `flotilla-director: no ledger at ${ledgerPath(stateDir)}: the director has not run with this state directory yet`);
  ctx.streams.stdout.write(ledgerMetricsText(ledgerPath(stateDir)));
}
