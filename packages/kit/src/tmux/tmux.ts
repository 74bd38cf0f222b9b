import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import createDebug from 'debug';
import { KitError } from '../internal/errors.js';
import {
  KEY_NAME,
  LIST_FORMAT,
  NOT_FOUND,
  NO_SERVER,
  invalid,
  newSessionArgs,
  paneTarget,
  parseSessionList,
  sessionTarget,
  setOptionArgs,
  toError,
} from './commands.js';
import { createLocalExecutor, type ExecOptions, type ExecResult, type Executor } from './exec.js';
import type { PasteOptions, Tmux, TmuxErrorCode, TmuxOptions, TmuxSessionInfo } from './types.js';

const debug = createDebug('kit:tmux');

/** tmux answers in milliseconds; a command taking this long means a wedged server. */
const TMUX_TIMEOUT_MS = 10_000;
/**
 * Debian's tmux uses libutempter, whose own SIGCHLD handler can swallow the signal for a pane's
 * exit (tmux/tmux#311): the pane shows dead, its exit status never arrives and the process stays a
 * zombie. A SIGCHLD sent to the server makes it reap; this is how long to give it.
 */
const REAP_NUDGE_MS = 20;
/** Bytes per `send-keys -H` invocation (each is one argv word). */
const SEND_BYTES_SLICE = 2048;

/** Runs tmux commands on one server, with the three failure policies the methods need. */
interface Runner {
  socketName: string;
  exec: Executor;
  /** Failures returned as values. */
  run(args: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Throws a coded error on failure. */
  must(args: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Aimed at one session: undefined when it (or the server) does not exist. */
  onSession(args: string[], options?: ExecOptions): Promise<ExecResult | undefined>;
  /** Aimed at one session: throws `TMUX_SESSION_NOT_FOUND` when it does not exist. */
  inSession(name: string, args: string[], options?: ExecOptions): Promise<ExecResult>;
}

function createRunner(options: TmuxOptions): Runner {
  const exec = options.exec ?? createLocalExecutor({ timeoutMs: TMUX_TIMEOUT_MS, env: withoutTmuxVars(process.env) });
  const base = [options.tmuxPath ?? 'tmux', '-u', '-L', options.socketName, '-f', options.configFile ?? '/dev/null'];
  const run = async (args: string[], execOptions?: ExecOptions): Promise<ExecResult> => {
    const result = await exec([...base, ...args], execOptions);
    const commands = args.filter((_, i) => i === 0 || args[i - 1] === ';');
    debug('%s -> %s (%d ms)', commands.join(' ; '), result.exitCode, Math.round(result.durationMs));
    return result;
  };
  const onSession = async (args: string[], execOptions?: ExecOptions): Promise<ExecResult | undefined> => {
    const result = await run(args, execOptions);
    if (result.exitCode === 0) return result;
    if (NOT_FOUND.test(result.stderr) || NO_SERVER.test(result.stderr)) return undefined;
    throw toError(args, result);
  };
  return {
    socketName: options.socketName,
    exec,
    run,
    onSession,
    async must(args, execOptions) {
      const result = await run(args, execOptions);
      if (result.exitCode !== 0) throw toError(args, result);
      return result;
    },
    async inSession(name, args, execOptions) {
      const result = await onSession(args, execOptions);
      if (!result) throw sessionNotFound(name, options.socketName);
      return result;
    },
  };
}

/**
 * Controls Flotilla's private tmux server (`tmux -L <socketName>`, started with `-f /dev/null` so
 * the user's config cannot interfere) through an injectable executor. Sessions are addressed by
 * exact name (`=name`), never by tmux's prefix matching.
 *
 * @example
 * const tmux = createTmux({ socketName: tmuxSocketName(home) });
 * await tmux.newSession({ name: 'job-01', cwd: repo, command: ['claude', '-p', prompt] });
 * const screen = await tmux.capturePane('job-01', { lines: 'all' });
 */
export function createTmux(options: TmuxOptions): Tmux {
  const r = createRunner(options);
  return {
    socketName: options.socketName,
    async newSession(session) {
      const result = await r.run(newSessionArgs(session));
      if (result.exitCode === 0) return;
      if (/duplicate session/.test(result.stderr)) {
        throw new KitError<TmuxErrorCode>('TMUX_SESSION_EXISTS', `tmux session ${session.name} already exists`);
      }
      throw toError(['new-session'], result);
    },
    hasSession: async (name) => (await r.onSession(['has-session', '-t', sessionTarget(name)])) !== undefined,
    listSessions: () => listSessions(r),
    async capturePane(name, capture = {}) {
      const args = ['capture-pane', '-p', '-t', paneTarget(name)];
      if (capture.ansi) args.push('-e');
      if (capture.lines !== undefined) args.push('-S', capture.lines === 'all' ? '-' : String(-Math.max(0, Math.floor(capture.lines))));
      return (await r.inSession(name, args)).stdout.replace(/\s+$/, '');
    },
    async sendKeysLiteral(name, text) {
      await r.inSession(name, ['send-keys', '-l', '-t', paneTarget(name), '--', text]);
    },
    pasteText: (name, text, paste) => pasteText(r, name, text, paste),
    async sendKey(name, key) {
      if (!KEY_NAME.test(key)) invalid(`not a tmux key name: ${JSON.stringify(key)} (use sendKeysLiteral or pasteText for text)`);
      await r.inSession(name, ['send-keys', '-t', paneTarget(name), key]);
    },
    killSession: async (name) => (await r.onSession(['kill-session', '-t', sessionTarget(name)])) !== undefined,
    killServer: () => killServer(r),
    async panePid(name) {
      const result = await r.onSession(['display-message', '-p', '-t', paneTarget(name), '#{pane_pid}']);
      const pid = Number.parseInt(result?.stdout.trim() ?? '', 10);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    },
    async setOption(option, value, scoped = {}) {
      const args = setOptionArgs(option, value, scoped.scope ?? 'session', scoped.target);
      if (scoped.target === undefined) await r.must(args);
      else await r.inSession(scoped.target, args);
    },
    async pipePane(name, shellCommand) {
      const args = ['pipe-pane', '-t', paneTarget(name)];
      if (shellCommand !== null) {
        if (shellCommand.trim() === '') invalid('pipePane needs a command (null closes the pipe)');
        args.push('-O', shellCommand);
      }
      await r.inSession(name, args);
    },
    async panePiping(name) {
      const result = await r.onSession(['display-message', '-p', '-t', paneTarget(name), '#{pane_pipe}']);
      // display-message on a missing target prints nothing and succeeds (tmux 3.3).
      const value = result?.stdout.trim() ?? '';
      return value === '' ? null : value === '1';
    },
    async paneGeometry(name) {
      const format = '#{pane_width} #{pane_height} #{cursor_x} #{cursor_y} #{alternate_on}';
      const result = await r.onSession(['display-message', '-p', '-t', paneTarget(name), format]);
      if (!result) return null;
      const [cols = NaN, rows = NaN, cursorX = 0, cursorY = 0, alternate = 0] = result.stdout.trim().split(' ').map(Number);
      if (!(cols > 0 && rows > 0)) return null;
      return { cols, rows, cursorX, cursorY, alternateScreen: alternate === 1 };
    },
    async sendBytes(name, bytes) {
      if (bytes.length === 0) return;
      // One argument per byte; tmux's argument list is bounded, so long input goes in slices.
      const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0'));
      for (let i = 0; i < hex.length; i += SEND_BYTES_SLICE) {
        await r.inSession(name, ['send-keys', '-H', '-t', paneTarget(name), ...hex.slice(i, i + SEND_BYTES_SLICE)]);
      }
    },
    run: r.run,
  };
}

async function listSessions(r: Runner): Promise<TmuxSessionInfo[]> {
  const list = async (): Promise<ReturnType<typeof parseSessionList>> => {
    const result = await r.run(['list-sessions', '-F', LIST_FORMAT]);
    if (result.exitCode === 0) return parseSessionList(result.stdout);
    if (NO_SERVER.test(result.stderr)) return { sessions: [], serverPid: undefined };
    throw toError(['list-sessions'], result);
  };
  const first = await list();
  const unreaped = first.sessions.some((s) => s.paneDead && s.exitStatus === null && s.exitSignal === null);
  if (!unreaped || first.serverPid === undefined) return first.sessions;
  await r.exec(['kill', '-s', 'CHLD', String(first.serverPid)]);
  await sleep(REAP_NUDGE_MS);
  return (await list()).sessions;
}

async function pasteText(r: Runner, name: string, text: string, paste: PasteOptions = {}): Promise<void> {
  // A unique buffer per paste, deleted by paste-buffer -d: concurrent pastes never cross.
  const buffer = `flotilla-${randomBytes(6).toString('hex')}`;
  const target = paneTarget(name);
  const args = ['load-buffer', '-b', buffer, '-', ';', 'paste-buffer', '-p', '-d', '-b', buffer, '-t', target];
  const delay = paste.enterDelayMs ?? 0;
  if (paste.enter && delay === 0) args.push(';', 'send-keys', '-t', target, 'Enter');
  const result = await r.onSession(args, { input: text });
  if (!result) {
    await r.run(['delete-buffer', '-b', buffer]);
    throw sessionNotFound(name, r.socketName);
  }
  if (paste.enter && delay > 0) {
    await sleep(delay);
    await r.inSession(name, ['send-keys', '-t', target, 'Enter']);
  }
}

async function killServer(r: Runner): Promise<boolean> {
  // tmux leaves its socket file behind; remove it through the same executor (it may be remote).
  const result = await r.run(['display-message', '-p', '#{socket_path}', ';', 'kill-server']);
  const socketPath =
    result.exitCode === 0 ? result.stdout.trim() : /(?:no server running on|error connecting to) (\S+)/.exec(result.stderr)?.[1];
  if (socketPath?.startsWith('/')) await r.exec(['rm', '-f', socketPath]);
  if (result.exitCode === 0) return true;
  if (NO_SERVER.test(result.stderr)) return false;
  throw toError(['kill-server'], result);
}

function sessionNotFound(name: string, socketName: string): KitError<TmuxErrorCode> {
  return new KitError('TMUX_SESSION_NOT_FOUND', `no tmux session ${name} on ${socketName}`);
}

function withoutTmuxVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { TMUX: _tmux, TMUX_PANE: _pane, ...rest } = env;
  return rest;
}
