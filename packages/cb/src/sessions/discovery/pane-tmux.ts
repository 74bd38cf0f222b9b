/**
 * One pane on the user's own tmux server, behind the kit's `Tmux` interface so the tracker, the
 * delivery code and the manager's liveness check work on an adopted session unchanged. The
 * kit's Tmux targets a session's active pane on Flotilla's server (`=name:`); here the "session
 * name" is a pane id (`%3`), which tmux accepts as a target for every pane command.
 *
 * It never starts, renames or kills anything but its own pane's agent: `killSession` ends the agent
 * process (the user's shell in that pane, if any, stays), `killServer` is refused, and
 * `listSessions` reports the one pane, dead once its agent process is gone.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '@flotilla/kit/process';
import { createTmux, KitError, type Tmux, type TmuxErrorCode, type TmuxSessionInfo } from '@flotilla/kit/tmux';

/** `%3`: a tmux pane id, unique on its server while the server runs. */
export const PANE_ID = /^%\d+$/;
/** tmux key names (the kit's rule): never user text. */
const KEY_NAME = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;
const NOT_FOUND = /can't find (?:session|pane|window)|no server running|error connecting to|server exited unexpectedly/;

/** One pane of `tmux list-panes -a` on a user's server. */
export interface PaneInfo {
  socketName: string;
  paneId: string;
  panePid: number | null;
  paneDead: boolean;
  exitStatus: number | null;
  exitSignal: number | null;
  sessionName: string;
  windowIndex: number;
  paneIndex: number;
  cwd: string;
  /** The tmux session's creation time (epoch ms). */
  created: number;
}

const PANE_FORMAT = [
  '#{pane_id}',
  '#{pane_pid}',
  '#{pane_dead}',
  '#{pane_dead_status}',
  '#{pane_dead_signal}',
  '#{session_name}',
  '#{window_index}',
  '#{pane_index}',
  '#{session_created}',
  '#{pane_current_path}',
].join('\t');

function int(text: string | undefined): number | null {
  return text && /^\d+$/.test(text) ? Number(text) : null;
}

/** Every pane of one server; null when the server could not be asked (not "no panes"), [] when none runs. */
export async function listPanes(tmux: Tmux): Promise<PaneInfo[] | null> {
  const result = await tmux.run(['list-panes', '-a', '-F', PANE_FORMAT], { timeoutMs: 3_000 });
  if (result.exitCode !== 0) return /no server running|error connecting to/.test(result.stderr) ? [] : null;
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [paneId = '', pid, dead, status, signal, sessionName = '', window, pane, created, ...path] = line.split('\t');
      const paneDead = dead === '1';
      return {
        socketName: tmux.socketName,
        paneId,
        panePid: int(pid),
        paneDead,
        exitStatus: paneDead ? int(status) : null,
        exitSignal: paneDead ? int(signal) : null,
        sessionName,
        windowIndex: int(window) ?? 0,
        paneIndex: int(pane) ?? 0,
        created: (int(created) ?? 0) * 1000,
        cwd: path.join('\t'),
      };
    })
    .filter((p) => PANE_ID.test(p.paneId));
}

export interface PaneTmuxOptions {
  socketName: string;
  paneId: string;
  /** The agent's pid: the pane counts as dead once it is gone (the agent may run under the user's shell). */
  agentPid: number | null;
  /** For tests: the server to talk to (default `createTmux({ socketName })`). */
  base?: Tmux;
}

function paneGone(paneId: string, socketName: string): KitError<TmuxErrorCode> {
  return new KitError('TMUX_SESSION_NOT_FOUND', `no tmux pane ${paneId} on ${socketName}`);
}

/** A `Tmux` for one pane of the user's server (see the module comment). */
export function createPaneTmux(options: PaneTmuxOptions): Tmux {
  if (!PANE_ID.test(options.paneId)) throw new KitError<TmuxErrorCode>('TMUX_INVALID_ARGUMENT', `not a tmux pane id: ${JSON.stringify(options.paneId)}`);
  const base = options.base ?? createTmux({ socketName: options.socketName });
  const { socketName, paneId } = options;
  const target = (name: string): string => {
    if (name !== paneId) throw new KitError<TmuxErrorCode>('TMUX_INVALID_ARGUMENT', `this handle drives pane ${paneId} only, not ${name}`);
    return name;
  };
  const onPane = async (name: string, args: string[], input?: string): Promise<string> => {
    const result = await base.run(args, input === undefined ? undefined : { input });
    if (result.exitCode === 0) return result.stdout;
    if (NOT_FOUND.test(result.stderr)) throw paneGone(name, socketName);
    throw new KitError<TmuxErrorCode>('TMUX_COMMAND_FAILED', `tmux ${args[0] ?? ''} on ${socketName} failed (exit ${result.exitCode ?? result.signal}): ${result.stderr.trim()}`);
  };
  const refuse = (what: string): never => {
    throw new KitError<TmuxErrorCode>('TMUX_INVALID_ARGUMENT', `${what} is not done on the user's own tmux server (${socketName})`);
  };

  const tmux: Tmux = {
    socketName,
    newSession: async () => refuse('starting a session'),
    async hasSession(name) {
      return (await tmux.listSessions()).some((s) => s.name === name && !s.paneDead);
    },
    async listSessions(): Promise<TmuxSessionInfo[]> {
      const panes = await listPanes(base);
      if (panes === null) throw new KitError<TmuxErrorCode>('TMUX_COMMAND_FAILED', `tmux list-panes on ${socketName} failed`);
      const pane = panes.find((p) => p.paneId === paneId);
      if (!pane) return [];
      const agentGone = options.agentPid !== null && !isAlive(options.agentPid);
      return [
        {
          name: paneId,
          created: pane.created,
          panePid: pane.panePid,
          paneDead: pane.paneDead || agentGone,
          exitStatus: pane.exitStatus,
          exitSignal: pane.exitSignal,
        },
      ];
    },
    async capturePane(name, capture = {}) {
      const args = ['capture-pane', '-p', '-t', target(name)];
      if (capture.ansi) args.push('-e');
      if (capture.lines !== undefined) args.push('-S', capture.lines === 'all' ? '-' : String(-Math.max(0, Math.floor(capture.lines))));
      return (await onPane(name, args)).replace(/\s+$/, '');
    },
    async sendKeysLiteral(name, text) {
      await onPane(name, ['send-keys', '-l', '-t', target(name), '--', text]);
    },
    async pasteText(name, text, paste = {}) {
      // As the kit does it: a unique buffer per paste, deleted by paste-buffer -d; -p brackets it.
      const buffer = `flotilla-${randomBytes(6).toString('hex')}`;
      const args = ['load-buffer', '-b', buffer, '-', ';', 'paste-buffer', '-p', '-d', '-b', buffer, '-t', target(name)];
      const delay = paste.enterDelayMs ?? 0;
      if (paste.enter && delay === 0) args.push(';', 'send-keys', '-t', paneId, 'Enter');
      try {
        await onPane(name, args, text);
      } catch (error) {
        await base.run(['delete-buffer', '-b', buffer]);
        throw error;
      }
      if (paste.enter && delay > 0) {
        await sleep(delay);
        await onPane(name, ['send-keys', '-t', paneId, 'Enter']);
      }
    },
    async sendKey(name, key) {
      if (!KEY_NAME.test(key)) throw new KitError<TmuxErrorCode>('TMUX_INVALID_ARGUMENT', `not a tmux key name: ${JSON.stringify(key)}`);
      await onPane(name, ['send-keys', '-t', target(name), key]);
    },
    /** Ends the agent (SIGTERM), never the user's pane or shell; false when it was already gone. */
    async killSession(name) {
      target(name);
      const pid = options.agentPid;
      if (pid === null || !isAlive(pid)) return false;
      try {
        process.kill(pid, 'SIGTERM');
        return true;
      } catch {
        return false;
      }
    },
    killServer: async () => refuse('killing the server'),
    async panePid(name) {
      const pid = Number.parseInt(await onPane(name, ['display-message', '-p', '-t', target(name), '#{pane_pid}']).catch(() => ''), 10);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    },
    // The user's window options (size, remain-on-exit) are theirs: nothing is set.
    setOption: async () => undefined,
    async pipePane(name, shellCommand) {
      const args = ['pipe-pane', '-t', target(name)];
      if (shellCommand !== null) args.push('-O', shellCommand);
      await onPane(name, args);
    },
    async panePiping(name) {
      const value = (await onPane(name, ['display-message', '-p', '-t', target(name), '#{pane_pipe}']).catch(() => '')).trim();
      return value === '' ? null : value === '1';
    },
    async paneGeometry(name) {
      const format = '#{pane_width} #{pane_height} #{cursor_x} #{cursor_y} #{alternate_on}';
      const text = await onPane(name, ['display-message', '-p', '-t', target(name), format]).catch(() => '');
      const [cols = NaN, rows = NaN, cursorX = 0, cursorY = 0, alternate = 0] = text.trim().split(' ').map(Number);
      return cols > 0 && rows > 0 ? { cols, rows, cursorX, cursorY, alternateScreen: alternate === 1 } : null;
    },
    async sendBytes(name, bytes) {
      const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0'));
      for (let i = 0; i < hex.length; i += 512) await onPane(name, ['send-keys', '-H', '-t', target(name), ...hex.slice(i, i + 512)]);
    },
    run: (args, execOptions) => base.run(args, execOptions),
  };
  return tmux;
}
