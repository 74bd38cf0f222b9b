/**
 * `flotilla-director flow …`: the flows slice's `runFlowCommand` (./flow-command.ts) given what it
 * needs from this CLI — the config, the state directory, and a `RunJob` over the hub or daemon,
 * connected only when a step runs (so `flow show` / `flow list` work without a server).
 */
import type { OutputStream } from '@flotilla/kit/cli';
import type { DirectorConfig } from '../config/config-schema.js';
import type { RunJob } from '../cycle/run-job.js';
import { createFleetRunJob } from '../hub/dispatch.js';
import { createFleet } from '../hub/fleet.js';
import { findLocalDaemon, findServer } from '../hub/server.js';
import { UsageError, type DirectorCliContext } from './context.js';
import type { DirectorCommand } from './main.js';
import { directorId, readConfig, type GlobalOptions } from './setup.js';

/** The shape of `runFlowCommand` this CLI relies on. */
export type FlowEntry = (
  argv: readonly string[],
  deps: { config: DirectorConfig; stateDir: string; runJob: RunJob; stdout: OutputStream; stderr: OutputStream; owner?: string },
) => Promise<number>;

const GLOBAL_VALUE_FLAGS = new Set(['--config', '--hub', '--server', '--local-host', '--id']);

export function flowCommandOf(runFlowCommand: FlowEntry): DirectorCommand {
  return {
    name: 'flow',
    summary: 'run | show | resume | list flows from the config\'s flows: (see `flotilla-director flow --help`)',
    async run(args, ctx) {
      const { globals, rest } = splitGlobals(args);
      const loaded = await readConfig(ctx, globals);
      return runFlowCommand(rest, {
        config: loaded.config,
        stateDir: loaded.stateDir,
        runJob: lazyRunJob(ctx, globals),
        stdout: ctx.streams.stdout,
        stderr: ctx.streams.stderr,
        owner: directorId(ctx, globals),
      });
    },
  };
}

/** Takes this CLI's options out of the arguments; the rest is the flow command's. */
function splitGlobals(args: readonly string[]): { globals: GlobalOptions; rest: string[] } {
  const globals: GlobalOptions = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!GLOBAL_VALUE_FLAGS.has(flag)) {
      rest.push(arg);
      continue;
    }
    const value = inline ?? args[(i += 1)];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === '--config') globals.config = value;
    else if (flag === '--hub' || flag === '--server') globals.server = value;
    else if (flag === '--local-host') globals.localHost = value;
    else globals.id = value;
  }
  return { globals, rest };
}

function lazyRunJob(ctx: DirectorCliContext, globals: GlobalOptions): RunJob {
  let runJob: Promise<RunJob> | null = null;
  return async (request) => {
    runJob ??= (async () => {
      const server = await findServer({ home: ctx.home, env: ctx.env, server: globals.server });
      const localDaemon = server.isHub ? await findLocalDaemon(ctx.home) : null;
      const fleet = createFleet({ server, localDaemon, ...(globals.localHost === undefined ? {} : { localHost: globals.localHost }) });
      return createFleetRunJob({ fleet });
    })();
    return (await runJob)(request);
  };
}
