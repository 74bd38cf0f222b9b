import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { basename, resolve } from 'node:path';

/**
 * The `repo` a learning is filed under for a checkout: its `origin` remote without scheme,
 * credentials and `.git` (`github.com/acme/app`), the same on every host; else the name of the git
 * work tree; else the directory name.
 *
 * @example
 * memoryRepoKey('/src/app'); // 'github.com/acme/app'
 */
export function memoryRepoKey(root: string): string {
  const dir = realpathSync(resolve(root));
  try {
    const url = execFileSync('git', ['-C', dir, 'remote', 'get-url', 'origin'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    const key = normalizeRemote(url);
    if (key !== '') return key;
  } catch {
    // not a git checkout, or no origin: fall back to the name of the work tree, else the directory
  }
  try {
    const top = execFileSync('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    if (top !== '') return basename(top);
  } catch {
    // not a git checkout
  }
  return basename(dir);
}

/** `git@github.com:acme/app.git` and `https://user@github.com/acme/app` → `github.com/acme/app`. */
export function normalizeRemote(url: string): string {
  return url
    .replace(/^[a-z+]+:\/\//i, '')
    .replace(/^[^@/]+@/, '')
    .replace(/^([^/:]+):(?!\d)/, '$1/')
    .replace(/\.git\/?$/, '')
    .replace(/\/+$/, '');
}
