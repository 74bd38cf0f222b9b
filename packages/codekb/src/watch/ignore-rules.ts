import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/**
 * The repository's ignore rules, as the indexer's walk applies them: `.git/` always, every
 * `.gitignore` from the root down to a path's directory, and `.git/info/exclude`. A path inside an
 * ignored directory is ignored (as in git, a file cannot be re-included there). Each directory's
 * `.gitignore` is read once and cached until `forget(dir)`.
 */
export interface IgnoreRules {
  /** Whether a repo-relative, `/`-separated path is ignored. */
  ignores(path: string, isDir: boolean): boolean;
  /** Drops the cached `.gitignore` of a repo-relative directory ('' for the root). */
  forget(dir: string): void;
}

export function createIgnoreRules(root: string): IgnoreRules {
  const cache = new Map<string, Ignore | null>();
  const rulesOf = (dir: string): Ignore | null => {
    let rules = cache.get(dir);
    if (rules !== undefined) return rules;
    const text = readOr(join(root, dir, '.gitignore')) + (dir === '' ? `\n${readOr(join(root, '.git', 'info', 'exclude'))}` : '');
    rules = text.trim() === '' ? null : ignore().add(text);
    cache.set(dir, rules);
    return rules;
  };
  /** Whether `path` itself is ignored by the rules of the directories above it. */
  const ignoredHere = (path: string, isDir: boolean): boolean => {
    const parts = path.split('/');
    for (let depth = 0; depth < parts.length; depth++) {
      const dir = parts.slice(0, depth).join('/');
      const rel = parts.slice(depth).join('/');
      if (rulesOf(dir)?.ignores(isDir ? `${rel}/` : rel) === true) return true;
    }
    return false;
  };
  return {
    ignores(path, isDir) {
      const parts = path.split('/');
      if (parts[0] === '.git') return true;
      for (let depth = 1; depth < parts.length; depth++) {
        if (ignoredHere(parts.slice(0, depth).join('/'), true)) return true;
      }
      return ignoredHere(path, isDir);
    },
    forget(dir) {
      cache.delete(dir);
    },
  };
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
