/**
 * The commander program: every command registered here, each implemented in `commands/<name>.ts`
 * and imported only when it runs. Plain `cb "prompt"` normally never gets here (see
 * `run-cli.ts`); when it does (with --wait, --follow or an --in-job prefix) it takes the same
 * options, from the same table.
 */
import { Command, CommanderError, Option } from 'commander';
import { createClient, type FlotillaClient } from '@flotilla/protocol';
import { jobRequest, type CliContext } from './context.js';
import { parseDuration } from './duration.js';
import { UsageError } from './errors.js';
import { JOB_OPTIONS, type JobArgs, type JobOption } from './job-args.js';
import { registerSessionCommands } from './session-commands.js';
import { registerRelayCommands } from './relay-commands.js';
import { VERSION as CB_VERSION } from '../version.js';

/** Parses `argv` with commander and runs the command; returns the exit code (2 for usage errors). */
export async function runProgram(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    await createProgram(ctx).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}

/** `cb [options] "prompt"` once parsed: builds the request and runs it through the typed client. */
export async function runJob(args: JobArgs, ctx: CliContext): Promise<void> {
  const request = await jobRequest(args, ctx);
  const { run } = await import('./commands/run.js');
  await run({ client: await connectClient(ctx), streams: ctx.streams, request, json: args.json, wait: args.wait, follow: args.follow, env: ctx.env, now: ctx.now });
}

/** Commander's parsed options as `JobArgs`, keeping only the job options (for parity with the hand parser). */
export function jobArgsFromCommander(prompt: readonly string[], opts: Record<string, unknown>): JobArgs {
  const args: JobArgs = { prompt: [...prompt] };
  const bag = args as unknown as Record<string, unknown>;
  for (const option of JOB_OPTIONS) if (opts[option.key] !== undefined) bag[option.key] = opts[option.key];
  return args;
}

export function createProgram(ctx: CliContext): Command {
  const program = new Command('cb')
    .description('Fire-and-forget background jobs for AI coding agents: they always report back.')
    .usage('[options] "prompt"   (or: cb <command> …)')
    .version(CB_VERSION, '-V, --version')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void ctx.streams.stdout.write(s),
      writeErr: (s) => void ctx.streams.stderr.write(s),
    })
    .showHelpAfterError('(cb --help shows every option)');
  addJobOptions(program);
  program.action((prompt: string[], opts: Record<string, unknown>) => runJob(jobArgsFromCommander(prompt, opts), ctx));

  addJobOptions(program.command('run').description('start a job (the same as cb "prompt"; use it for a prompt that is a command name)')).action(
    (prompt: string[], opts: Record<string, unknown>) => runJob(jobArgsFromCommander(prompt, opts), ctx),
  );
  registerJobCommands(program, ctx);
  registerSessionCommands(program, { ctx, client: () => connectClient(ctx) });
  registerHostCommands(program, ctx);
  registerRelayCommands(program, ctx);
  return program;
}

function addJobOptions(command: Command): Command {
  command.argument('[prompt...]', 'what the agent should do; "-" (or a pipe) reads it from stdin');
  for (const option of JOB_OPTIONS) command.addOption(toCommanderOption(option));
  return command;
}

function toCommanderOption(option: JobOption): Option {
  const result = new Option(option.arg ? `--${option.flag} <${option.arg}>` : `--${option.flag}`, option.description);
  if (!option.arg) return result;
  const parse = option.parse ?? ((v: string) => v);
  return result.argParser((value: string, previous: unknown) => {
    const parsed = withFlag(`--${option.flag}`, () => parse(value));
    return option.repeat ? [...((previous as unknown[] | undefined) ?? []), parsed] : parsed;
  });
}

function registerJobCommands(program: Command, ctx: CliContext): void {
  const common = { streams: ctx.streams, env: ctx.env, now: ctx.now };
  const json = (cmd: Command) => Boolean(cmd.optsWithGlobals().json);

  program
    .command('ls')
    .description('list jobs: id, status, agent, model, host, age, duration, cost, prompt')
    .option('--status <S>', 'only these statuses (comma-separated)')
    .option('--all', 'every job, not just the most recent')
    .option('--limit <N>', 'at most N jobs (default 50)', integer('--limit', 1, 500))
    .option('--json', 'print the jobs as JSON')
    .action(async (opts: { status?: string; all?: boolean; limit?: number }, cmd: Command) => {
      const { ls } = await import('./commands/ls.js');
      await ls({ ...common, ...opts, client: await connectClient(ctx), json: json(cmd) });
    });

  program
    .command('show')
    .description('result, status, failure, attempts, tokens, cost, duration, session, branch and changed files')
    .argument('<id>', 'job id or a unique prefix')
    .option('--json', 'print the job as JSON')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const { show } = await import('./commands/show.js');
      await show({ ...common, client: await connectClient(ctx), id, json: json(cmd) });
    });

  program
    .command('logs')
    .description('the readable transcript: tool calls, edits, commands, final answer')
    .argument('<id>', 'job id or a unique prefix')
    .option('-f, --follow', 'follow it live until the job ends')
    .option('--attempt <N>', 'this attempt (default: the latest)', integer('--attempt', 1, 1_000))
    .option('--raw', "the agent's raw event lines")
    .option('--json', 'print the transcript (or with --raw the log) as JSON')
    .action(async (id: string, opts: { follow?: boolean; attempt?: number; raw?: boolean }, cmd: Command) => {
      const { logs } = await import('./commands/logs.js');
      await logs({ ...common, ...opts, client: await connectClient(ctx), id, json: json(cmd) });
    });

  program
    .command('attach')
    .description("step into a session's or a job's tmux session")
    .argument('<name|id>', 'a session name, or a job id or a unique prefix')
    .action(async (id: string) => {
      const { attach } = await import('./commands/attach.js');
      await attach({ ...common, client: await connectClient(ctx), id, tmuxSocketName: ctx.paths.tmuxSocketName });
    });

  program
    .command('takeover')
    .description("continue a finished job interactively (the agent's own resume)")
    .argument('<id>', 'job id or a unique prefix')
    .action(async (id: string) => {
      const { takeover } = await import('./commands/takeover.js');
      await takeover({ ...common, client: await connectClient(ctx), id });
    });

  program
    .command('cancel')
    .description('stop a job and its whole process tree')
    .argument('<id>', 'job id or a unique prefix')
    .option('--json', 'print the job as JSON')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const { cancel } = await import('./commands/cancel.js');
      await cancel({ ...common, client: await connectClient(ctx), id, json: json(cmd) });
    });

  program
    .command('wait')
    .description('block until the job ends; exit 0 only if it succeeded')
    .argument('<id>', 'job id or a unique prefix')
    .option('--timeout <DUR>', 'give up after this long (exit 1)', (v: string) => withFlag('--timeout', () => parseDuration(v)))
    .option('--json', 'print the job as JSON')
    .action(async (id: string, opts: { timeout?: number }, cmd: Command) => {
      const { wait } = await import('./commands/wait.js');
      await wait({ ...common, client: await connectClient(ctx), id, timeoutMs: opts.timeout, json: json(cmd) });
    });

  withFollowOptions(program.command('retry').description('run the job again as its next attempt').argument('<id>', 'job id or a unique prefix')).action(
    async (id: string, opts: { wait?: boolean; follow?: boolean }, cmd: Command) => {
      const { retry } = await import('./commands/retry.js');
      await retry({ ...common, ...opts, client: await connectClient(ctx), id, json: json(cmd) });
    },
  );

  withFollowOptions(
    program
      .command('resume')
      .description("continue the agent's conversation with a follow-up, as a new attempt")
      .argument('<id>', 'job id or a unique prefix')
      .argument('[prompt...]', 'the follow-up; "-" (or a pipe) reads it from stdin'),
  ).action(async (id: string, prompt: string[], opts: { wait?: boolean; follow?: boolean }, cmd: Command) => {
    const { resume } = await import('./commands/resume.js');
    await resume({ ...common, ...opts, client: await connectClient(ctx), id, prompt, json: json(cmd) });
  });

  program
    .command('inbox')
    .description('finished results nobody has read yet')
    .option('--json', 'print the items as JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      const { inbox } = await import('./commands/inbox.js');
      await inbox({ ...common, client: await connectClient(ctx), json: json(cmd) });
    });

  program
    .command('read')
    .description('show a result and mark it read')
    .argument('<id>', 'job id or a unique prefix')
    .option('--json', 'print the job as JSON')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const { read } = await import('./commands/read.js');
      await read({ ...common, client: await connectClient(ctx), id, json: json(cmd) });
    });
}

function registerHostCommands(program: Command, ctx: CliContext): void {
  const common = { streams: ctx.streams, env: ctx.env, now: ctx.now };
  const json = (cmd: Command) => Boolean(cmd.optsWithGlobals().json);

  program
    .command('doctor')
    .description('check tmux, git, the agent CLIs and their credentials; say what to fix')
    .option('--json', 'print the report as JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      const { doctor } = await import('./commands/doctor.js');
      await doctor({ ...common, client: await connectClient(ctx), json: json(cmd) });
    });

  program
    .command('gc')
    .description('remove finished worktrees, logs and jobs past the retention settings')
    .option('--dry-run', 'only say what would be removed')
    .option('--older-than <DAYS>', 'instead of the configured retention', positive('--older-than'))
    .option('--json', 'print the report as JSON')
    .action(async (opts: { dryRun?: boolean; olderThan?: number }, cmd: Command) => {
      const { gc } = await import('./commands/gc.js');
      await gc({ ...common, client: await connectClient(ctx), dryRun: opts.dryRun, olderThanDays: opts.olderThan, json: json(cmd) });
    });

  program
    .command('stats')
    .description('jobs, tokens and cost by day, agent and model; failures by kind')
    .option('--days <N>', 'look back N days', integer('--days', 1, 3_650))
    .option('--json', 'print the stats as JSON')
    .action(async (opts: { days?: number }, cmd: Command) => {
      const { stats } = await import('./commands/stats.js');
      await stats({ ...common, ...opts, client: await connectClient(ctx), json: json(cmd) });
    });

  const daemonCommand = program.command('daemon').description("this home's background daemon");
  for (const [action, description] of [
    ['start', 'start it (if it is not running)'],
    ['stop', 'stop it (jobs keep running in tmux and are adopted on the next start)'],
    ['status', 'pid, version, protocol, socket, jobs'],
    ['restart', 'stop and start it'],
  ] as const) {
    daemonCommand
      .command(action)
      .description(description)
      .option('--json', 'print the daemon status as JSON')
      .action(async (_opts: unknown, cmd: Command) => {
        const { daemon } = await import('./commands/daemon.js');
        await daemon({ action, daemon: { paths: ctx.paths, env: ctx.env }, streams: ctx.streams, json: json(cmd) });
      });
  }

  program
    .command('serve')
    .description('also serve the API and dashboard on 127.0.0.1:PORT; prints the URL with a one-time token')
    .requiredOption('--port <N>', 'loopback port', integer('--port', 0, 65_535))
    .option('--json', 'print {url, token, openUrl} as JSON')
    .action(async (opts: { port: number }, cmd: Command) => {
      const { serve } = await import('./commands/serve.js');
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await serve({ streams: ctx.streams, transport: await ctx.connect(), port: opts.port, json: json(cmd), signal: controller.signal });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

function withFollowOptions(command: Command): Command {
  return command
    .option('--wait', 'wait until it ends; exit 0 only if it succeeded')
    .option('--follow', 'stream the transcript until it ends, then ring the bell')
    .option('--json', 'print the job as JSON');
}

async function connectClient(ctx: CliContext): Promise<FlotillaClient> {
  return createClient(await ctx.connect());
}

function withFlag<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${flag}: ${error.message}`, error.fix);
    throw error;
  }
}

function integer(flag: string, min: number, max: number): (value: string) => number {
  return (value) =>
    withFlag(flag, () => {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`"${value}" is not a whole number from ${min} to ${max}`);
      return n;
    });
}

function positive(flag: string): (value: string) => number {
  return (value) =>
    withFlag(flag, () => {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`"${value}" is not a positive number`);
      return n;
    });
}
