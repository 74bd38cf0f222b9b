import type { CliContext } from './context.js';
import { isFullJobId, parseJobArgv, type JobArgs } from './job-args.js';

/**
 * Runs one `cb` invocation and returns its exit code; never exits the process. The plain
 * job-creation form takes the fast path; everything else goes through commander (`cli.ts`).
 */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    const args = argv.length === 0 && ctx.streams.stdin.isTTY ? null : parseJobArgv(argv);
    if (args && isFastPath(args)) {
      const { createJobFast } = await import('./fast-path.js');
      await createJobFast(args, ctx);
      return 0;
    }
    const cli = await import('./cli.js');
    if (args) {
      await cli.runJob(args, ctx);
      return 0;
    }
    return await cli.runProgram(argv.length === 0 ? ['--help'] : argv, ctx);
  } catch (error) {
    const { reportError } = await import('./report-error.js');
    return reportError(error, { streams: ctx.streams, json: wantsJson(argv), logPath: ctx.paths.daemonLog });
  }
}

/** Plain job creation, which needs nothing but one request: no waiting, following or id lookup. */
export function isFastPath(args: JobArgs): boolean {
  return !args.wait && !args.follow && (args.inJob === undefined || isFullJobId(args.inJob));
}

export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}
