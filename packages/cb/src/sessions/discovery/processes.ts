/**
 * Which process is a known agent, and which belongs to Flotilla already: full command lines
 * (a node script such as `node …/@openai/codex/bin/codex.js` counts, not only a binary called
 * `claude`) and, on Linux, the environment Flotilla gives its own agents.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type KnownAgent = 'claude' | 'codex';

/** Interpreters an agent's script may run under. */
const INTERPRETERS = /^(node|nodejs|bun|deno)(\d+)?$/;
/** Claude subcommands that are not an agent session (the supervisor, the listing itself, logs …). */
const NOT_A_SESSION = new Set(['daemon', 'agents', 'logs', 'mcp', 'config', 'doctor', 'update', 'install', 'attach']);

function agentOfPath(path: string): KnownAgent | null {
  const name = basename(path).replace(/\.(exe|js|mjs|cjs)$/, '');
  if (name === 'claude' || /[/\\]@anthropic-ai[/\\]claude-code[/\\]/.test(path)) return 'claude';
  if (name === 'codex' || /[/\\]@openai[/\\]codex[/\\]/.test(path)) return 'codex';
  return null;
}

/**
 * The agent a command line runs: `claude …`, `/usr/lib/…/claude.exe`, `node …/claude-code/cli.js`,
 * `codex`, `node …/@openai/codex/bin/codex.js`; null for anything else (a shell, an editor, `claude agents`).
 */
export function agentOfCommand(argv: readonly string[]): KnownAgent | null {
  const [first = '', ...rest] = argv;
  let agent = agentOfPath(first);
  let args = rest;
  if (!agent && INTERPRETERS.test(basename(first))) {
    const script = rest.findIndex((a) => !a.startsWith('-'));
    if (script >= 0) {
      agent = agentOfPath(rest[script] ?? '');
      args = rest.slice(script + 1);
    }
  }
  if (!agent) return null;
  if (agent === 'claude' && NOT_A_SESSION.has(args[0] ?? '')) return null;
  return agent;
}

/** A process's argv; null when it is gone or cannot be read. */
export async function commandLine(pid: number): Promise<string[] | null> {
  if (process.platform === 'linux') {
    try {
      const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      const argv = raw.split('\0');
      if (argv.at(-1) === '') argv.pop();
      return argv.length > 0 ? argv : null;
    } catch {
      return null;
    }
  }
  try {
    const { stdout } = await execFileAsync('ps', ['-o', 'args=', '-p', String(pid)]);
    const line = stdout.trim();
    return line ? line.split(/\s+/) : null;
  } catch {
    return null;
  }
}

/**
 * Whether Flotilla started this process (a session's agent carries FLOTILLA_SESSION_ID, a job's
 * FLOTILLA_JOB_ID). Linux only (`/proc/<pid>/environ`); elsewhere false, and the caller's pid
 * lists decide.
 */
export async function startedByFlotilla(pid: number): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  try {
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
    return /(?:^|\0)FLOTILLA_(?:SESSION|JOB)_ID=/.test(environ);
  } catch {
    return false;
  }
}
