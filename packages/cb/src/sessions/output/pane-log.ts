/**
 * The pane output log: every session's (and job attempt's) pane output, as the program wrote it
 * (escapes and all), appended to one file by `tmux pipe-pane`. tmux allows one pipe per pane, so
 * this file is the single source for everything that follows the output: the live terminal
 * stream for viewers and the watcher sessions' alert patterns.
 *
 * Bounded: the pipe's writer rotates the file itself before it passes PANE_LOG_MAX_BYTES — it
 * copies it to `pane.log.1` and truncates it in place, while the pane's further output waits in
 * the pipe — so the writer loses nothing, and a follower sees the file shrink and starts over from
 * 0 (the kit `tailFile` already does; one that lags behind a rotation finds the rest in
 * `pane.log.1`). The file is 0600 in a 0700 directory.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import createDebug from 'debug';
import { shellQuote, type Tmux } from '@flotilla/kit/tmux';
import { SESSION_FILES } from '../launch.js';

const debug = createDebug('cb:pane-log');

/** Past this the log is rotated to `pane.log.1` (one rotated copy is kept: at most twice this on disk). */
export const PANE_LOG_MAX_BYTES = 16 * 1024 * 1024;

export const PANE_LOG_FILE = SESSION_FILES.paneLog;

export function paneLogPath(dir: string): string {
  return join(dir, PANE_LOG_FILE);
}

/**
 * The pipe's writer (perl, core only): copies each read of the pane's output to the log at once
 * (latency is one pipe hop); when the next write would pass the limit it copies the log to
 * `pane.log.1` and truncates it in place first, while the pane's further output waits in the pipe.
 * At end of input (the pane died, or the pipe was replaced) it exits. (`head -c` and `dd` cannot
 * do this: they hold back a partial block.)
 */
const WRITER = [
  'my ($path, $max) = @ARGV; umask 077;',
  'open(my $out, ">>", $path) or die "pane log $path: $!"; binmode STDIN; binmode $out;',
  'my $size = -s $out || 0; my $buf;',
  'while (my $n = sysread(STDIN, $buf, 65536)) {',
  '  if ($size > 0 && $size + $n > $max) {',
  '    if (open(my $in, "<", $path) and open(my $old, ">", "$path.1")) {',
  '      binmode $in; binmode $old; my $chunk;',
  '      while (my $r = sysread($in, $chunk, 1048576)) { syswrite($old, $chunk, $r) }',
  '      close $old; close $in;',
  '    }',
  '    truncate($out, 0); $size = 0;',
  '  }',
  '  my $off = 0;',
  '  while ($off < $n) { my $w = syswrite($out, $buf, $n - $off, $off); exit 1 unless defined $w; $off += $w }',
  '  $size += $n;',
  '}',
].join('\n');

/**
 * The `pipe-pane` shell command: the rotating writer, or a plain unbounded append where perl is
 * missing. tmux expands formats in it, so every `#` is doubled.
 */
export function paneLogCommand(path: string, maxBytes = PANE_LOG_MAX_BYTES): string {
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new Error(`invalid pane log limit ${maxBytes}`);
  const file = shellQuote([path]);
  const command = `if command -v perl >/dev/null 2>&1; then exec ${shellQuote(['perl', '-e', WRITER, path, String(maxBytes)])}; else exec cat >> ${file}; fi`;
  return command.replace(/#/g, '##');
}

/** Creates the directory (0700) and the log (0600, kept if it exists) so the pipe never creates them with looser modes. */
export function preparePaneLog(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const path = paneLogPath(dir);
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  return path;
}

/** Starts (or replaces) the pane's pipe into `<dir>/pane.log`. Throws `TMUX_SESSION_NOT_FOUND` for a gone pane. */
export async function startPaneLog(tmux: Tmux, tmuxSession: string, dir: string, maxBytes = PANE_LOG_MAX_BYTES): Promise<string> {
  const path = preparePaneLog(dir);
  await tmux.pipePane(tmuxSession, paneLogCommand(path, maxBytes));
  debug('%s pipes into %s', tmuxSession, path);
  return path;
}

/**
 * Re-asserts the pipe of a pane that outlived a daemon restart: tmux keeps a pipe across it, so
 * only a pane that is not piping (`#{pane_pipe}` is 0) gets a new one; a second pipe-pane would
 * replace the working one for nothing. Returns whether it started one; a gone pane is not an error.
 */
export async function ensurePaneLog(tmux: Tmux, tmuxSession: string, dir: string): Promise<boolean> {
  const piping = await tmux.panePiping(tmuxSession);
  if (piping !== false) return false;
  await startPaneLog(tmux, tmuxSession, dir).catch((error: unknown) => debug('could not pipe %s: %O', tmuxSession, error));
  return true;
}

/**
 * For the manager's `recover()`: a re-attached session's pane pipes into its log again. Never
 * throws (recovery goes on without the log); returns whether a new pipe was started.
 */
export async function reassertPaneLog(
  deps: { tmux: Tmux; paths: { sessionDir(id: string): string } },
  session: { id: string; tmuxSession: string },
): Promise<boolean> {
  try {
    return await ensurePaneLog(deps.tmux, session.tmuxSession, deps.paths.sessionDir(session.id));
  } catch (error) {
    debug('re-asserting the pane log of %s failed: %O', session.tmuxSession, error);
    return false;
  }
}

/** Size of the log now (0 when absent): where a follower that wants only new output starts. */
export function paneLogSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
