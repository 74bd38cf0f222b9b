/**
 * `mesh director start|--once|status …` and `mesh flow run|show|resume|list …`: the overnight
 * loop and the flows of `@flotilla/director`, an optional add-on like the Telegram bot. mesh never
 * depends on it (the director is a client of the hub): its `flotilla-director` bin is found at run time — FLOTILLA_DIRECTOR_BIN, else installed beside
 * mesh (`findAddonBin`), else on PATH — and run with the arguments as given, plus the hub from
 * `mesh --hub URL`. Output and the exit code are the director's.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Command } from 'commander';
import { findAddonBin } from '@flotilla/kit/web';
import { ExitError, UsageError, type MeshCliContext } from './context.js';
import { hubUrl } from './program.js';

export const DIRECTOR_PACKAGE = '@flotilla/director';
export const DIRECTOR_BIN = 'flotilla-director';

export function registerDirectorCommand(program: Command, ctx: MeshCliContext): void {
  passThrough(program, ctx, {
    name: 'director',
    description: `the director: tickets in, one reviewable branch or PR out per ticket (start [--once] | status [--json] | scout [--dry-run] | metrics; from ${DIRECTOR_PACKAGE})`,
    example: 'start --once --config flotilla.yaml',
  });
  passThrough(program, ctx, {
    name: 'flow',
    description: `flows from the config: agents implement, review and fix in one worktree (run NAME "task" | show ID | resume ID | list; from ${DIRECTOR_PACKAGE})`,
    example: 'run review-loop "add rate limiting to /login"',
    prefix: ['flow'],
  });
}

/** `mesh NAME args…` runs `flotilla-director [prefix…] args…`, with the hub of `mesh --hub URL` unless given. */
function passThrough(program: Command, ctx: MeshCliContext, spec: { name: string; description: string; example: string; prefix?: string[] }): void {
  program
    .command(spec.name)
    .description(spec.description)
    .argument('[args...]', `passed to flotilla-director (e.g. ${spec.example})`)
    .helpOption(false)
    .allowUnknownOption()
    .passThroughOptions()
    .action(async (args: string[], _options: unknown, command: Command) => {
      const url = hubUrl(command);
      const given = args.some((arg) => arg === '--hub' || arg === '--server' || arg.startsWith('--hub=') || arg.startsWith('--server='));
      const all = [...(spec.prefix ?? []), ...args];
      await runDirector(ctx, url === undefined || given ? all : [...all, '--hub', url]);
    });
}

/** Where `flotilla-director` is, and how to run it: a JavaScript file through this Node, else the executable itself. */
export function findDirectorBin(env: Readonly<Record<string, string | undefined>>, from: string = import.meta.url): { command: string; args: string[] } | null {
  const explicit = env.FLOTILLA_DIRECTOR_BIN;
  const path = explicit !== undefined && explicit !== '' ? explicit : (findAddonBin(DIRECTOR_PACKAGE, DIRECTOR_BIN, from) ?? onPath(DIRECTOR_BIN, env.PATH));
  if (path === null) return null;
  if (/\.ts$/.test(path)) return { command: process.execPath, args: ['--import', 'tsx', path] };
  if (/\.[cm]?js$/.test(path)) return { command: process.execPath, args: [path] };
  return { command: path, args: [] };
}

/** What `mesh director` says when the add-on cannot be found. */
export function directorMissing(): UsageError {
  return new UsageError(`the director is not installed: ${DIRECTOR_PACKAGE} provides \`${DIRECTOR_BIN}\`, and it is neither beside mesh nor on PATH`, `install it (npm install -g ${DIRECTOR_PACKAGE}), or set FLOTILLA_DIRECTOR_BIN to its bin`);
}

async function runDirector(ctx: MeshCliContext, args: string[]): Promise<void> {
  const bin = findDirectorBin(ctx.env);
  if (bin === null) throw directorMissing();
  const child = spawn(bin.command, [...bin.args, ...args], { env: { ...ctx.env }, stdio: ['inherit', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => void ctx.streams.stdout.write(chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => void ctx.streams.stderr.write(chunk.toString('utf8')));
  // The director stops on SIGINT / SIGTERM (its dispatched jobs keep running and are adopted on restart).
  const forward = (signal: NodeJS.Signals) => () => void child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode, signal) => resolve(exitCode ?? (signal === 'SIGINT' ? 130 : 143)));
    });
    if (code !== 0) throw new ExitError(code);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

function onPath(name: string, path: string | undefined): string | null {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
