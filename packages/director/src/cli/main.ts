/**
 * The `flotilla-director` command line (also run as `mesh director …`): a small registry of
 * commands, each parsing its own arguments with `node:util`'s parseArgs, and errors turned into
 * words and exit codes (2 usage, 78 configuration, 1 anything else).
 */
import { parseArgs } from 'node:util';
import { isProtocolError } from '@flotilla/protocol';
import type { FlowEntry } from './flow-registration.js';
import { CONFIG_EXIT_CODE, ConfigError, ExitError, UsageError, processContext, type DirectorCliContext, type OutputStream } from './context.js';

/** One `flotilla-director` command. */
export interface DirectorCommand {
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** Runs with the arguments after the command's name; resolves the exit code. */
  run(args: readonly string[], ctx: DirectorCliContext): Promise<number>;
}

const GLOBAL_OPTIONS = {
  config: { type: 'string' },
  hub: { type: 'string' },
  server: { type: 'string' },
  'local-host': { type: 'string' },
  id: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const GLOBAL_HELP = `  --config FILE        the config (default ./flotilla.yaml)
  --hub URL            the hub to dispatch through (token: FLOTILLA_HUB_TOKEN, FLOTILLA_TOKEN, else $FLOTILLA_HOME/hub-token)
  --server SOCKET|URL  a hub or a lone cb daemon (default: $FLOTILLA_HOME/mesh.sock, then cb.sock)
  --local-host NAME    behind a hub: this machine's host name in the fleet (its jobs run here unless the host is full or the repo prefers another)
  --id ID              this director's id in the ledger (default director@<hostname>)
  --json               print one JSON document`;

function parse<T extends Record<string, { type: 'string' | 'boolean'; short?: string }>>(args: readonly string[], extra: T) {
  try {
    return parseArgs({ args: [...args], options: { ...GLOBAL_OPTIONS, ...extra }, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message, 'flotilla-director --help lists every command and option');
  }
}

function serverOf(values: { hub?: string | boolean; server?: string | boolean }): string | undefined {
  if (typeof values.hub === 'string' && typeof values.server === 'string') throw new UsageError('--hub and --server name the same thing: give one');
  const given = values.server ?? values.hub;
  return typeof given === 'string' ? given : undefined;
}

function globalsOf(values: Record<string, string | boolean | undefined>) {
  return {
    config: typeof values.config === 'string' ? values.config : undefined,
    server: serverOf(values),
    localHost: typeof values['local-host'] === 'string' ? values['local-host'] : undefined,
    id: typeof values.id === 'string' ? values.id : undefined,
  };
}

const startCommand: DirectorCommand = {
  name: 'start',
  summary: 'run a cycle every cycle.everySeconds (default 2 min) until interrupted; --once: one cycle, wait for its jobs, exit 1 if anything failed',
  async run(args, ctx) {
    const { values } = parse(args, { once: { type: 'boolean' }, every: { type: 'string' }, 'metrics-port': { type: 'string' } });
    if (values.help) return help(ctx.streams.stdout, 'start [--once] [--every SECONDS] [--metrics-port PORT]', `${this.summary}; --metrics-port: serve GET /metrics (Prometheus) on 127.0.0.1:PORT`);
    let every: number | undefined;
    if (values.every !== undefined) {
      every = Number(values.every);
      if (!Number.isInteger(every) || every <= 0) throw new UsageError(`--every ${values.every}: expected a positive whole number of seconds`);
    }
    let metricsPort: number | undefined;
    if (values['metrics-port'] !== undefined) {
      metricsPort = Number(values['metrics-port']);
      if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535) throw new UsageError(`--metrics-port ${values['metrics-port']}: expected a port number (0-65535; 0 picks a free one)`);
    }
    const { start } = await import('./start-command.js');
    await start(ctx, { ...globalsOf(values), once: values.once === true, json: values.json === true, ...(every === undefined ? {} : { every }), ...(metricsPort === undefined ? {} : { metricsPort }) });
    return 0;
  },
};

const statusCommand: DirectorCommand = {
  name: 'status',
  summary: 'the pipeline from the ledger: queue per repo, tickets in flight with stage and attempts, the pause and why, PRs of the last 24 h',
  async run(args, ctx) {
    const { values } = parse(args, {});
    if (values.help) return help(ctx.streams.stdout, 'status', this.summary);
    const { status } = await import('./status-command.js');
    await status(ctx, { ...globalsOf(values), json: values.json === true });
    return 0;
  },
};

const metricsCommand: DirectorCommand = {
  name: 'metrics',
  summary: 'print the /metrics text (Prometheus exposition 0.0.4) once from the ledger, for cron or a textfile collector',
  async run(args, ctx) {
    const { values } = parse(args, {});
    if (values.help) return help(ctx.streams.stdout, 'metrics', this.summary);
    const { printMetrics } = await import('../metrics/metrics-command.js');
    await printMetrics(ctx, globalsOf(values));
    return 0;
  },
};

const scoutCommand: DirectorCommand = {
  name: 'scout',
  summary: 'propose work for an idle fleet: evidence (tests, lint, outdated, TODO/FIXME) per repo, an agent\'s checked proposals added to the board as proposed tasks',
  async run(args, ctx) {
    const { values } = parse(args, { repo: { type: 'string' }, 'dry-run': { type: 'boolean' } });
    if (values.help) return help(ctx.streams.stdout, 'scout [--repo NAME] [--dry-run]', `${this.summary}; --dry-run: gather, ask and check, add nothing; exit 1 when a repo's scout failed`);
    const { scout } = await import('./scout-command.js');
    return scout(ctx, { ...globalsOf(values), ...(typeof values.repo === 'string' ? { repo: values.repo } : {}), dryRun: values['dry-run'] === true, json: values.json === true });
  },
};

/**
 * Every command. ▶ More commands register here. `flow` (`./flow-command.js`, written by the flows
 * slice) is added by `withOptionalCommands` when that module exists: a `DirectorCommand` exported
 * as `flowCommand`, or its `runFlowCommand(argv, deps)` wrapped by `./flow-registration.ts`.
 */
export const COMMANDS: DirectorCommand[] = [startCommand, statusCommand, metricsCommand, scoutCommand];

async function withOptionalCommands(): Promise<DirectorCommand[]> {
  const commands = [...COMMANDS];
  for (const [specifier, exported] of OPTIONAL_COMMANDS) {
    try {
      const mod = (await import(specifier)) as Record<string, unknown>;
      const command = mod[exported] as DirectorCommand | undefined;
      if (command && typeof command.run === 'function') commands.push(command);
      else if (typeof mod.runFlowCommand === 'function') commands.push((await import('./flow-registration.js')).flowCommandOf(mod.runFlowCommand as FlowEntry));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  return commands;
}

/** Modules that may not exist yet: [specifier, the export holding a `DirectorCommand`]. */
const OPTIONAL_COMMANDS: ReadonlyArray<readonly [string, string]> = [['./flow-command.js', 'flowCommand']];

function help(out: OutputStream, usage: string, summary: string): number {
  out.write(`usage: flotilla-director ${usage} [options]\n\n${summary}\n\noptions:\n${GLOBAL_HELP}\n`);
  return 0;
}

/** Runs `flotilla-director` with `argv`; resolves the exit code. Never throws. */
export async function main(argv: readonly string[], ctx: DirectorCliContext = processContext()): Promise<number> {
  try {
    const [name, ...rest] = argv;
    // Built-in commands never load the optional ones (a broken optional module cannot stop the director).
    const builtIn = COMMANDS.find((c) => c.name === name);
    if (builtIn !== undefined) return await builtIn.run(rest, ctx);
    const commands = await withOptionalCommands();
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      ctx.streams.stdout.write(`usage: flotilla-director COMMAND [options]\n\ncommands:\n${commands.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}\n\noptions:\n${GLOBAL_HELP}\n`);
      return name === undefined ? 2 : 0;
    }
    const command = commands.find((c) => c.name === name);
    if (command === undefined) throw new UsageError(`unknown command ${name}`, `one of: ${commands.map((c) => c.name).join(', ')}`);
    return await command.run(rest, ctx);
  } catch (error) {
    return reportError(error, ctx.streams.stderr);
  }
}

/** Prints `error` for a person (with its fix when it has one); returns the exit code. */
export function reportError(error: unknown, stderr: OutputStream): number {
  if (error instanceof ExitError) {
    if (error.message) stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
  const fix = (error as { fix?: string }).fix;
  const text = `flotilla-director: ${(error as Error).message ?? String(error)}\n${fix ? `  fix: ${fix}\n` : ''}`;
  stderr.write(text);
  if (error instanceof UsageError) return 2;
  if (error instanceof ConfigError) return CONFIG_EXIT_CODE;
  if (isProtocolError(error)) return 1;
  return 1;
}
