/**
 * `cb "prompt"` without Node's ESM loader: scripts/bundle-fast-path.mjs bundles this module and
 * everything it imports into one CommonJS file (dist/cli/fast.cjs) that `bin/cb.cjs` requires.
 * Loading ~15 ES modules cost ~40 ms of resolution and async reads per start; one CJS file does not.
 */
import { processContext } from './context.js';
import { createJobFast } from './fast-path.js';
import { parseJobArgv } from './job-args.js';
import { isFastPath, wantsJson } from './run-cli.js';

/** The exit code, or null when argv is not plain job creation (the full CLI then takes over). */
export async function runFast(argv: readonly string[]): Promise<number | null> {
  const ctx = processContext();
  let args;
  try {
    args = argv.length === 0 && ctx.streams.stdin.isTTY ? null : parseJobArgv(argv);
  } catch {
    return null; // a usage error: the full CLI reports it
  }
  if (!args || !isFastPath(args)) return null;
  try {
    await createJobFast(args, ctx);
    return 0;
  } catch (error) {
    const { reportError } = await import('./report-error.js');
    return reportError(error, { streams: ctx.streams, json: wantsJson(argv), logPath: ctx.paths.daemonLog });
  }
}
