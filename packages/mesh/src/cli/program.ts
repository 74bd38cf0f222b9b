/**
 * The `mesh` commander program. Each group of commands lives in its own file and registers itself
 * here; command bodies are imported only when they run.
 */
import { Command, CommanderError } from 'commander';
import type { MeshCliContext } from './context.js';
import { registerBoardCommands } from './board-commands.js';
import { registerDirectorCommand } from './director-command.js';
import { registerFleetCommands } from './fleet-commands.js';
import { registerHostCommands } from './host-commands.js';
import { registerMessageCommands } from './message-commands.js';
import { registerServeCommand } from './serve-command.js';
import { MESH_VERSION } from '../version.js';

/** Parses `argv` and runs the command; resolves the exit code (2 for usage errors). */
export async function runProgram(argv: readonly string[], ctx: MeshCliContext): Promise<number> {
  try {
    await createProgram(ctx).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}

export function createProgram(ctx: MeshCliContext): Command {
  const program = new Command('mesh')
    .description('One fleet across SSH hosts: hosts, jobs and sessions everywhere, a board with leased claims, messages.')
    .version(MESH_VERSION, '-V, --version')
    .option('--hub <URL>', 'the hub to talk to (default: $FLOTILLA_HOME/mesh.sock; token from FLOTILLA_HUB_TOKEN)')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void ctx.streams.stdout.write(s),
      writeErr: (s) => void ctx.streams.stderr.write(s),
    })
    .showHelpAfterError('(mesh --help lists every command)');
  registerServeCommand(program, ctx);
  registerHostCommands(program, ctx);
  registerFleetCommands(program, ctx);
  registerBoardCommands(program, ctx);
  registerMessageCommands(program, ctx);
  registerDirectorCommand(program, ctx);
  return program;
}

/** The `--hub URL` given to the program, for commands that talk to the hub. */
export function hubUrl(command: Command): string | undefined {
  let root: Command = command;
  while (root.parent) root = root.parent;
  return root.opts<{ hub?: string }>().hub;
}
