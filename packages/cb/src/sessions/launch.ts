/**
 * How a session's pane is started: the tmux session name, the fixed pane size, the 0600 env file
 * the pane sources (so no variable, secret or not, is on any command line or in tmux's own
 * environment), the LaunchPlan's files, and the plan for a custom agent.
 */
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { writeFileAtomic } from '@flotilla/kit/fs';
import { shellQuote } from '@flotilla/kit/tmux';
import type { LaunchPlan } from './contract.js';

/**
 * Every session's pane is this size, set by Flotilla (`window-size manual`): a viewer attaching
 * with another terminal size never resizes the agent's screen, so screen markers and peeks stay stable.
 */
export const SESSION_PANE = { width: 200, height: 50 } as const;

/** In the session's directory: the env file the pane sources, and the pane's output (tmux `pipe-pane`, appended). */
export const SESSION_FILES = { env: 'env.sh', paneLog: 'pane.log' } as const;

/** `sess-<name>-<last 8 of the id>`: readable in `tmux ls`, unique even when a name is reused. */
export function sessionTmuxName(sessionId: string, name: string): string {
  return `sess-${name.replace(/[^A-Za-z0-9_-]/g, '_')}-${sessionId.slice(-8).toLowerCase()}`;
}

/**
 * The pane's argv: an empty environment (`env -i`), then `sh` sources the 0600 env file with
 * auto-export and `exec`s the agent, so the pane's process is the agent itself.
 */
export function paneCommand(envFile: string, argv: readonly string[]): string[] {
  return ['/usr/bin/env', '-i', '/bin/sh', '-c', 'set -a; . "$0"; set +a; exec "$@"', envFile, ...argv];
}

/** Writes the env file (0600) and the plan's files (inside `dir` only); returns the env file's path. */
export async function writeLaunchFiles(dir: string, plan: LaunchPlan, env: Record<string, string>): Promise<string> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const file of plan.files) {
    const path = isAbsolute(file.path) ? file.path : join(dir, file.path);
    const rel = relative(dir, path);
    if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) throw new Error(`launch plan file ${file.path} is outside ${dir}`);
    await writeFileAtomic(path, file.content, { mode: file.mode });
  }
  const envFile = join(dir, SESSION_FILES.env);
  const lines = Object.entries(env).map(([key, value]) => `${key}=${shellQuote([value])}`);
  await writeFileAtomic(envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  return envFile;
}
