/**
 * The session commands (`cb session new|ls|stop|log`, `cb send`, `cb peek`, `cb answer`; watcher
 * sessions are `cb session new NAME --alert PATTERN -- COMMAND…`),
 * registered on the commander program by `cli.ts`; each implementation is imported only when it runs.
 */
import type { Command } from 'commander';
import type { FlotillaClient } from '@flotilla/protocol';
import type { CliContext } from './context.js';
import { UsageError } from './errors.js';

export interface SessionCommandsContext {
  ctx: CliContext;
  client(): Promise<FlotillaClient>;
}

const json = (cmd: Command): boolean => Boolean(cmd.optsWithGlobals().json);

function lines(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 10_000) throw new UsageError(`--lines: "${value}" is not a whole number from 1 to 10000`);
  return n;
}

interface SessionNewFlags {
  agent?: string;
  model?: string;
  cwd?: string;
  worktree?: boolean;
  command?: string;
  alert?: string[];
}

/** The words the root program was given (to see whether a `--` came before a watcher's command). */
function rawArgsOf(cmd: Command): readonly string[] {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  return (root as unknown as { rawArgs?: string[] }).rawArgs ?? [];
}

/**
 * A watcher's argv: the words after `--`, or `--command 'shell line'` run with `sh -c`; undefined
 * for an agent session. Words without `--` are refused (a command's own options would be taken for cb's).
 */
export function watcherCommand(argv: readonly string[], opts: SessionNewFlags, raw: readonly string[]): string[] | undefined {
  if (argv.length > 0 && !raw.includes('--')) {
    throw new UsageError(`unexpected words after the session name: ${argv.join(' ')}`, "a watcher's command goes after --: cb session new NAME --alert 'FAIL' -- npm test");
  }
  if (argv.length > 0 && opts.command !== undefined) throw new UsageError('give the command either after -- or with --command, not both');
  const command = argv.length > 0 ? [...argv] : opts.command !== undefined ? ['/bin/sh', '-c', opts.command] : undefined;
  if (opts.command !== undefined && opts.command.trim() === '') throw new UsageError('--command: the command line is empty');
  if (!command && opts.alert?.length) {
    throw new UsageError('--alert is for watcher sessions, which run a command', "give the command after --: cb session new NAME --alert 'FAIL' -- npm test");
  }
  if (command && (opts.agent !== undefined || opts.model !== undefined)) throw new UsageError('--agent and --model are for agent sessions; a watcher runs its command');
  return command;
}

export function registerSessionCommands(program: Command, { ctx, client }: SessionCommandsContext): void {
  const common = { streams: ctx.streams };
  const session = program.command('session').description('long-lived interactive agents in tmux: new, ls, stop, log');

  session
    .command('new')
    .description("start an agent's own interactive UI in tmux, or watch a command's output: new NAME --alert 'FAIL|Error' -- COMMAND…")
    .argument('<name>', 'what to call it (letters, digits, ".", "_", "-")')
    .argument('[command...]', 'a watcher session: the command to run and watch, after --')
    .option('--agent <AGENT>', 'claude, codex or a custom agent from the config (default claude)')
    .option('--model <M>', 'the model (default: as for jobs, sonnet for Claude)')
    .option('--cwd <DIR>', 'where it works (default: here)')
    .option('--worktree', 'in its own git worktree on a new flotilla/… branch')
    .option('--command <SHELL>', 'a watcher session running this shell command line (with sh -c)')
    .option('--alert <PATTERN>', 'a watcher: a regular expression; a matching line of output raises an alert (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--json', 'print the session as JSON')
    .action(async (name: string, argv: string[], opts: SessionNewFlags, cmd: Command) => {
      const command = watcherCommand(argv, opts, rawArgsOf(cmd));
      const { sessionNew } = await import('./commands/session.js');
      await sessionNew({ ...common, client: await client(), name, agent: opts.agent, model: opts.model, dir: opts.cwd, cwd: ctx.cwd, worktree: opts.worktree, command, alerts: opts.alert, json: json(cmd) });
    });

  session
    .command('ls')
    .description('sessions with their state and how long they have been in it')
    .option('--all', 'ended sessions too')
    .option('--json', 'print the sessions as JSON')
    .action(async (opts: { all?: boolean }, cmd: Command) => {
      const { sessionLs } = await import('./commands/session.js');
      await sessionLs({ ...common, client: await client(), all: opts.all, json: json(cmd), now: ctx.now, env: ctx.env });
    });

  session
    .command('adopt')
    .description('make a session started outside Flotilla (an agent in a tmux pane) a managed one: send, answer, stop')
    .argument('<name>', 'the external session, as cb session ls shows it')
    .option('--json', 'print the session as JSON')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const { sessionAdopt } = await import('./commands/session.js');
      await sessionAdopt({ ...common, client: await client(), name, json: json(cmd) });
    });

  for (const [action, description] of [
    ['stop', "stop it: the agent's own exit keys, then its tmux session is killed"],
    ['log', 'its state changes, sends, answers and lifecycle'],
  ] as const) {
    session
      .command(action)
      .description(description)
      .argument('<name>', 'the session')
      .option('--json', 'print it as JSON')
      .action(async (name: string, _opts: unknown, cmd: Command) => {
        const { sessionStop, sessionLog } = await import('./commands/session.js');
        await (action === 'stop' ? sessionStop : sessionLog)({ ...common, client: await client(), name, json: json(cmd) });
      });
  }

  program
    .command('send')
    .description('deliver text to a session as one turn (confirmed), or press one key with --key')
    .argument('<name>', 'the session')
    .argument('[text...]', 'the text; "-" reads it from stdin')
    .option('--key <KEY>', 'press Escape, Enter, C-c, Tab, Up or Down instead')
    .option('--json', 'print the receipt as JSON')
    .action(async (name: string, text: string[], opts: { key?: string }, cmd: Command) => {
      const { send } = await import('./commands/send.js');
      await send({ ...common, client: await client(), name, text, key: opts.key, json: json(cmd) });
    });

  program
    .command('peek')
    .description("print a session's current screen without attaching")
    .argument('<name>', 'the session')
    .option('--lines <N>', 'the last N lines (default 50)', lines)
    .option('--json', 'print the screen as JSON')
    .option('-f, --follow', 'then keep printing its output as it comes (read-only), until Ctrl-C or the session exits')
    .action(async (name: string, opts: { lines?: number; follow?: boolean }, cmd: Command) => {
      if (opts.follow) {
        if (json(cmd)) throw new UsageError('--follow streams the terminal as it is; it has no --json form');
        await client(); // starts the daemon if needed
        const { peekFollow } = await import('./commands/peek.js');
        await peekFollow({ ...common, socketPath: ctx.paths.socket, name });
        return;
      }
      const { peek } = await import('./commands/peek.js');
      await peek({ ...common, client: await client(), name, lines: opts.lines, json: json(cmd) });
    });

  program
    .command('answer')
    .description("answer a session's permission question")
    .argument('<name>', 'the session')
    .argument('<answer>', 'yes or no')
    .option('--json', 'print the session as JSON')
    .action(async (name: string, answer: string, _opts: unknown, cmd: Command) => {
      const { answer: answerCommand } = await import('./commands/answer.js');
      await answerCommand({ ...common, client: await client(), name, answer, json: json(cmd) });
    });
}
