/**
 * Where the user's own servers are: tmux sockets (`$TMUX_TMPDIR/tmux-<uid>/`, default `/tmp`) and
 * Claude Code's background supervisor (`<tmpdir>/cc-daemon-<uid>/`). A socket file outlives a
 * crashed server, so each one is probed with a connect (no process spawned) before it is used.
 */
import { connect } from 'node:net';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A connect to a live local socket answers in microseconds; this only bounds a wedged one. */
const PROBE_TIMEOUT_MS = 300;

function uid(): number {
  return process.getuid?.() ?? 0;
}

/** The directory tmux keeps this user's sockets in. */
export function tmuxSocketDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.TMUX_TMPDIR || '/tmp', `tmux-${uid()}`);
}

/** Claude Code's supervisor socket directory (docs/session-signals.md §1). */
export function claudeSupervisorDir(): string {
  return join(tmpdir(), `cc-daemon-${uid()}`);
}

/** Whether something listens on the unix socket at `path`. */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (alive: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(alive);
    };
    const timer = setTimeout(() => done(false), PROBE_TIMEOUT_MS);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Socket files (not directories or regular files) directly in `dir`, by name; [] when it does not exist. */
function socketFiles(dir: string, keep: (name: string) => boolean = () => true): Promise<string[]> {
  // The directory types come with the listing (no stat per entry): a tmux dir can hold hundreds of stale sockets.
  return readdir(dir, { withFileTypes: true }).then(
    (entries) => entries.filter((e) => e.isSocket() && keep(e.name)).map((e) => e.name),
    () => [],
  );
}

/**
 * The names (`tmux -L <name>`) of the user's running tmux servers in `dir`: never Flotilla's own
 * (`ownSocket`) nor any other Flotilla home's (`flotilla-…`), whose panes are Flotilla's sessions and jobs.
 */
export async function userTmuxSockets(dir: string, ownSocket: string): Promise<string[]> {
  const names = await socketFiles(dir, (name) => name !== ownSocket && !name.startsWith('flotilla-'));
  const alive = await Promise.all(names.map((name) => socketAnswers(join(dir, name))));
  return names.filter((_, i) => alive[i]);
}

/**
 * Whether Claude Code's background supervisor runs: one of its sockets answers. `claude agents`
 * would start one otherwise (a daemon left on the user's machine), so discovery asks only then.
 */
export async function claudeSupervisorRunning(dir: string = claudeSupervisorDir()): Promise<boolean> {
  const subdirs = await readdir(dir, { withFileTypes: true }).then((entries) => entries.filter((e) => e.isDirectory()).map((e) => join(dir, e.name)), () => [] as string[]);
  for (const where of [dir, ...subdirs]) {
    for (const name of await socketFiles(where)) {
      if (await socketAnswers(join(where, name))) return true;
    }
  }
  return false;
}
