/**
 * `mesh sync REPO`: on every host that has the repository, fetch and fast-forward it. A host
 * without it is skipped; one whose pull cannot fast-forward (local commits, a dirty tree) says so
 * and is left as it was.
 */
import { shellQuote } from '@flotilla/kit/tmux';
import type { Hub } from './hub.js';

export interface SyncResult {
  host: string;
  ok: boolean;
  output: string;
}

export async function syncRepo(hub: Hub, repo: string): Promise<SyncResult[]> {
  const quoted = shellQuote([repo]);
  const script = [
    `if ! git -C ${quoted} rev-parse --git-dir >/dev/null 2>&1; then echo "skipped: no repository at ${repo.replace(/["`$\\]/g, '')}"; exit 0; fi`,
    `git -C ${quoted} fetch --all --prune --quiet 2>&1 || exit 1`,
    `if git -C ${quoted} rev-parse --abbrev-ref --symbolic-full-name '@{u}' >/dev/null 2>&1; then git -C ${quoted} pull --ff-only --quiet 2>&1 || exit 1; echo "up to date with $(git -C ${quoted} rev-parse --abbrev-ref '@{u}') at $(git -C ${quoted} rev-parse --short HEAD)"; else echo "fetched (the current branch has no upstream to pull)"; fi`,
  ].join('\n');
  return Promise.all(
    hub.hosts().map(async ({ name, state }): Promise<SyncResult> => {
      const connection = hub.connection(name);
      if (!connection || state !== 'up') return { host: name, ok: false, output: `unreachable (${state})` };
      try {
        const result = await connection.exec(script, 120_000);
        const output = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-3).join(' ');
        return { host: name, ok: result.code === 0, output: output || (result.code === 0 ? 'ok' : `exit ${result.code}`) };
      } catch (error) {
        return { host: name, ok: false, output: (error as Error).message };
      }
    }),
  );
}
