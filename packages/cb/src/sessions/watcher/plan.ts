/**
 * How a watcher's pane is started: its command (argv) through the same 0600 env file as an agent
 * (`paneCommand` in ../launch.ts), behind a short gate that holds it until the pane's output
 * reaches pane.log, so not even its first line is missed.
 */
import { join } from 'node:path';
import type { LaunchPlan, LaunchRequest } from '../contract.js';
import { SESSION_FILES } from '../launch.js';

/** What a watcher session's `agent` field says (Session.agent is `command` for watchers). */
export const WATCHER_AGENT = 'command';

/** The program a `--command 'shell string'` watcher runs its string with. */
export const WATCHER_SHELL = ['/bin/sh', '-c'] as const;

/** How long (in 50 ms steps) the gate waits for the pipe before starting the command anyway. */
const GATE_STEPS = 60;

/**
 * `sh -c GATE pane.log COMMAND…`: the pipe into pane.log (tmux `pipe-pane`) is started just after
 * the pane, so the gate prints an invisible SGR reset until it shows up in the file (at most 3 s),
 * then `exec`s the command: the pane's process is the command itself, and its exit status is the pane's.
 */
const GATE = `i=0; while [ "$i" -lt ${GATE_STEPS} ]; do [ -s "$0" ] && break; printf '\\033[0m'; sleep 0.05; i=$((i+1)); done; exec "$@"`;

/** The plan for a watcher session: no files, no extra variables; the argv is the gate then the command. */
export function planWatcherLaunch(request: LaunchRequest): LaunchPlan {
  const command = request.command ?? [];
  if (command.length === 0) throw new Error('a watcher session needs a command');
  return { argv: ['/bin/sh', '-c', GATE, join(request.dir, SESSION_FILES.paneLog), ...command], env: {}, files: [] };
}
