import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';

/** `$FLOTILLA_HOME` (default `~/.flotilla`). */
export function flotillaHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.FLOTILLA_HOME || join(homedir(), '.flotilla'));
}

/**
 * Where the index of a repository lives: `$FLOTILLA_HOME/codekb/<name>-<8 hex of sha256(root)>.db`.
 *
 * @example
 * defaultDbPath('/src/app'); // ~/.flotilla/codekb/app-1a2b3c4d.db
 */
export function defaultDbPath(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const absolute = resolve(root);
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 8);
  const name = basename(absolute).replace(/[^A-Za-z0-9._-]/g, '_') || 'root';
  return join(flotillaHome(env), 'codekb', `${name}-${hash}.db`);
}
