import type { ExecOptions, ExecResult, Executor } from './exec.js';

export type TmuxErrorCode =
  | 'TMUX_INVALID_ARGUMENT'
  | 'TMUX_NOT_INSTALLED'
  | 'TMUX_SESSION_EXISTS'
  | 'TMUX_SESSION_NOT_FOUND'
  | 'TMUX_TIMEOUT'
  | 'TMUX_COMMAND_FAILED';

export interface TmuxOptions {
  /** `tmux -L <socketName>`: see `tmuxSocketName(home)`. */
  socketName: string;
  /** Where commands run (default: locally, 10 s timeout). */
  exec?: Executor;
  /** Default `tmux`. */
  tmuxPath?: string;
  /** Config for a server we start; default `/dev/null`, so the user's ~/.tmux.conf cannot interfere. */
  configFile?: string;
}

export interface NewSessionOptions {
  name: string;
  cwd: string;
  /** argv of the pane's process; shell-quoted into one command line that /bin/sh `exec`s. */
  command: string[];
  env?: Record<string, string>;
  width?: number;
  height?: number;
  /** Keep a dead pane (and its output) until the session is killed (default true). */
  remainOnExit?: boolean;
  /** Scrollback lines (default 50000). */
  historyLimit?: number;
}

export interface TmuxSessionInfo {
  name: string;
  /** Creation time, epoch ms. */
  created: number;
  /** Pid of the active pane's process (the pane command), null when unknown. */
  panePid: number | null;
  paneDead: boolean;
  /**
   * Exit status of a dead pane; null while it runs or when a signal killed it. tmux learns it a
   * moment after the pane closes, so it can briefly be null with `paneDead` already true.
   */
  exitStatus: number | null;
  /** Number of the signal that killed a dead pane's process, else null. */
  exitSignal: number | null;
}

export interface CapturePaneOptions {
  /** Keep colours and attributes as ANSI escapes (`capture-pane -e`). */
  ansi?: boolean;
  /** Also include this many scrollback lines above the screen, or `'all'`; default: the screen only. */
  lines?: number | 'all';
}

export interface PasteOptions {
  /** Press Enter after the paste (default false). */
  enter?: boolean;
  /** Wait this long between paste and Enter; some TUIs drop an Enter that arrives with the paste (default 0). */
  enterDelayMs?: number;
}

export interface PaneGeometry {
  cols: number;
  rows: number;
  /** Cursor column and row, 0-based. */
  cursorX: number;
  cursorY: number;
  /** The pane shows its alternate screen (a full-screen TUI). */
  alternateScreen: boolean;
}

export type OptionScope = 'server' | 'session' | 'window' | 'pane';

export interface Tmux {
  readonly socketName: string;
  newSession(options: NewSessionOptions): Promise<void>;
  hasSession(name: string): Promise<boolean>;
  listSessions(): Promise<TmuxSessionInfo[]>;
  /** The pane's text, trailing blank lines removed. */
  capturePane(name: string, options?: CapturePaneOptions): Promise<string>;
  /** Types `text` literally (`send-keys -l`); never interpreted as key names. */
  sendKeysLiteral(name: string, text: string): Promise<void>;
  /** Delivers `text` as one bracketed paste (through a uniquely named, auto-deleted buffer). */
  pasteText(name: string, text: string, options?: PasteOptions): Promise<void>;
  /** Presses one named key (`Enter`, `Escape`, `C-c`, `Up`, `BSpace`, …). */
  sendKey(name: string, key: string): Promise<void>;
  /** False when there was no such session. */
  killSession(name: string): Promise<boolean>;
  /** False when no server was running. */
  killServer(): Promise<boolean>;
  panePid(name: string): Promise<number | null>;
  /** `set-option`; without `target` the global value (`-g`, or `-s` for server scope). */
  setOption(option: string, value: string, options?: { target?: string; scope?: OptionScope }): Promise<void>;
  /**
   * Pipes the pane's output, as the application wrote it (escapes and all), to `shellCommand`'s
   * stdin (`pipe-pane -O`), replacing any pipe the pane had (tmux allows one per pane, and swaps
   * them without losing output); `null` closes the pipe. Throws `TMUX_SESSION_NOT_FOUND`.
   */
  pipePane(name: string, shellCommand: string | null): Promise<void>;
  /** Whether the pane's output is being piped (`#{pane_pipe}`); null when there is no such session. */
  panePiping(name: string): Promise<boolean | null>;
  /** The pane's size and cursor; null when there is no such session. */
  paneGeometry(name: string): Promise<PaneGeometry | null>;
  /**
   * Writes `bytes` to the pane's input exactly as given (`send-keys -H`, hex): never interpreted as
   * key names, so control bytes and escape sequences arrive as typed.
   */
  sendBytes(name: string, bytes: Uint8Array): Promise<void>;
  /** Any other tmux command, on this server; failures are returned, not thrown. */
  run(args: string[], options?: ExecOptions): Promise<ExecResult>;
}
