import { KitError } from '../internal/errors.js';
import type { ExecResult } from './exec.js';
import { shellQuote } from './shell-quote.js';
import type { NewSessionOptions, OptionScope, TmuxErrorCode, TmuxSessionInfo } from './types.js';

/** Scrollback per pane: tmux's default 2000 lines is short for an agent transcript. */
const DEFAULT_HISTORY_LIMIT = 50_000;

const SESSION_NAME = /^[A-Za-z0-9_-]{1,100}$/;
export const KEY_NAME = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OPTION_NAME = /^@?[a-z][a-z0-9-]*(?:\[\d+\])?$/;
export const NO_SERVER = /no server running|error connecting to|server exited unexpectedly/;
export const NOT_FOUND = /can't find (?:session|pane|window)|session not found|no such session/;
export const LIST_FORMAT = ['#{session_name}', '#{session_created}', '#{pane_pid}', '#{pane_dead}', '#{pane_dead_status}', '#{pane_dead_signal}', '#{pid}'].join('\t');

export function newSessionArgs(session: NewSessionOptions): string[] {
  if (session.command.length === 0) invalid('newSession needs a command');
  const width = session.width ?? 200;
  const height = session.height ?? 50;
  const env = Object.entries(session.env ?? {}).flatMap(([key, value]) => {
    if (!ENV_NAME.test(key)) invalid(`invalid environment variable name ${JSON.stringify(key)}`);
    return ['-e', `${key}=${value}`];
  });
  // Global options are set in the same tmux invocation, before the pane exists: a command that
  // exits at once must still leave its dead pane behind, and the command line is POSIX sh.
  // prettier-ignore
  return [
    'set-option', '-g', 'default-shell', '/bin/sh', ';',
    'set-option', '-g', 'history-limit', String(session.historyLimit ?? DEFAULT_HISTORY_LIMIT), ';',
    'set-option', '-wg', 'remain-on-exit', session.remainOnExit === false ? 'off' : 'on', ';',
    'new-session', '-d', '-s', checkName(session.name), '-c', session.cwd, '-x', String(width), '-y', String(height),
    // `exec`: the pane's pid is the command itself, not a wrapping sh, so its exit status, signal
    // and process tree are the command's own.
    ...env, `exec ${shellQuote(session.command)}`,
  ];
}

export function setOptionArgs(option: string, value: string, scope: OptionScope, target: string | undefined): string[] {
  if (!OPTION_NAME.test(option)) invalid(`invalid tmux option name ${JSON.stringify(option)}`);
  if (scope === 'server') return ['set-option', '-s', option, value];
  if (target === undefined) return ['set-option', scope === 'session' ? '-g' : '-wg', option, value];
  // set-option's -t is a pane target in tmux 3.x, even for session options.
  if (scope === 'session') return ['set-option', '-t', paneTarget(target), option, value];
  return ['set-option', scope === 'window' ? '-w' : '-p', '-t', paneTarget(target), option, value];
}

export function parseSessionList(stdout: string): { sessions: TmuxSessionInfo[]; serverPid: number | undefined } {
  const int = (text: string): number | null => (/^\d+$/.test(text) ? Number(text) : null);
  let serverPid: number | undefined;
  const sessions = stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', created = '', pid = '', dead = '', status = '', signal = '', server = ''] = line.split('\t');
      serverPid = int(server) ?? serverPid;
      const paneDead = dead === '1';
      return {
        name,
        created: Number(created) * 1000,
        panePid: int(pid),
        paneDead,
        exitStatus: paneDead ? int(status) : null,
        exitSignal: paneDead ? int(signal) : null,
      };
    });
  return { sessions, serverPid };
}

function checkName(name: string): string {
  if (!SESSION_NAME.test(name)) invalid(`invalid tmux session name ${JSON.stringify(name)} (letters, digits, _ and - only)`);
  return name;
}

export const sessionTarget = (name: string): string => `=${checkName(name)}`;
export const paneTarget = (name: string): string => `=${checkName(name)}:`;

export function invalid(message: string): never {
  throw new KitError<TmuxErrorCode>('TMUX_INVALID_ARGUMENT', message);
}

export function toError(args: string[], result: ExecResult): KitError<TmuxErrorCode> {
  const what = `tmux ${args[0] ?? ''}`;
  if (result.timedOut) return new KitError('TMUX_TIMEOUT', `${what} timed out after ${Math.round(result.durationMs)} ms`);
  if (result.exitCode === 127 && /ENOENT|not found/.test(result.stderr)) {
    return new KitError('TMUX_NOT_INSTALLED', `tmux is not installed or not on PATH (${result.stderr.trim()})`);
  }
  return new KitError('TMUX_COMMAND_FAILED', `${what} failed (exit ${result.exitCode ?? result.signal}): ${result.stderr.trim()}`);
}
