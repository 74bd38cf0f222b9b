import { open, readlink, realpath } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import type { RepoIndex } from './repo-index.js';

export type ReadErrorCode = 'PATH_OUTSIDE_REPO' | 'NOT_FOUND' | 'NOT_A_FILE';

export type ReadResult =
  | { ok: true; path: string; start: number; end: number; totalLines: number; lines: { line: number; text: string }[] }
  | { ok: false; code: ReadErrorCode; message: string };

/** Lines returned when no end is given: enough to read a function, small enough for a context window. */
const DEFAULT_SPAN = 200;

/**
 * Reads numbered lines `start..end` (1-based, inclusive) of a repo-relative file. Refuses absolute
 * paths, `..` segments and anything that resolves (through symlinks) outside the repo root; the
 * check is made on the file actually opened, so swapping a symlink mid-read cannot escape.
 *
 * @example
 * const result = await read(repo, 'src/main.ts', 10, 20);
 * if (result.ok) for (const { line, text } of result.lines) console.log(line, text);
 */
export async function read(repo: RepoIndex, path: string, start = 1, end?: number): Promise<ReadResult> {
  if (isAbsolute(path) || path.split(/[\\/]/).includes('..')) {
    return { ok: false, code: 'PATH_OUTSIDE_REPO', message: `refused ${path}: give a path relative to the repository root, without ".."` };
  }
  let handle;
  try {
    handle = await open(join(repo.root, path), 'r');
  } catch {
    return { ok: false, code: 'NOT_FOUND', message: `no such file in the repository: ${path}` };
  }
  try {
    const real = await openedPath(handle.fd, join(repo.root, path));
    if (real !== repo.root && !real.startsWith(repo.root + sep)) {
      return { ok: false, code: 'PATH_OUTSIDE_REPO', message: `refused ${path}: it resolves outside the repository` };
    }
    if (!(await handle.stat()).isFile()) return { ok: false, code: 'NOT_A_FILE', message: `not a file: ${path}` };
    const all = (await handle.readFile('utf8')).split('\n');
    if (all.at(-1) === '') all.pop();
    const first = Math.max(1, Math.floor(start));
    const last = Math.min(all.length, Math.floor(end ?? first + DEFAULT_SPAN - 1));
    const lines = all.slice(first - 1, last).map((text, i) => ({ line: first + i, text }));
    return { ok: true, path, start: first, end: Math.max(first - 1, last), totalLines: all.length, lines };
  } finally {
    await handle.close();
  }
}

/** The real path of an open descriptor (Linux `/proc`), falling back to realpath elsewhere. */
async function openedPath(fd: number, path: string): Promise<string> {
  try {
    return await readlink(`/proc/self/fd/${fd}`);
  } catch {
    return realpath(path);
  }
}
