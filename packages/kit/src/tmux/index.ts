/**
 * `@flotilla/kit/tmux` — control of Flotilla's private tmux server over an injectable executor
 * (local by default, SSH later), shell quoting and the per-home socket name.
 */
export { createTmux } from './tmux.js';
export type {
  CapturePaneOptions,
  NewSessionOptions,
  OptionScope,
  PaneGeometry,
  PasteOptions,
  Tmux,
  TmuxErrorCode,
  TmuxOptions,
  TmuxSessionInfo,
} from './types.js';
export { createLocalExecutor } from './exec.js';
export type { ExecOptions, ExecResult, Executor, LocalExecutorOptions } from './exec.js';
export { shellQuote } from './shell-quote.js';
export { tmuxSocketName } from './socket-name.js';
export { KitError, isKitError } from '../internal/errors.js';
