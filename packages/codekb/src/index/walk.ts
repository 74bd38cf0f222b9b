import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import createDebug from 'debug';
import ignore, { type Ignore } from 'ignore';

const debug = createDebug('codekb:index');
const execFileAsync = promisify(execFile);
/** `git ls-files` of a large monorepo prints tens of MB of paths. */
const GIT_MAX_BUFFER = 512 * 1024 * 1024;

/**
 * Lists a repository's files (repo-relative, `/`-separated, sorted) respecting `.gitignore`:
 * `git ls-files -co --exclude-standard` in a git work tree, otherwise a walk that applies every
 * `.gitignore` it meets. Returns an empty list only when there is nothing to index.
 */
export async function listFiles(root: string): Promise<string[]> {
  const fromGit = await gitFiles(root);
  const files = fromGit ?? (await walk(root));
  return [...new Set(files)].sort();
}

/**
 * What `listFiles` lists under `dir` ('' for the root), as git lists it; undefined when `root` is
 * not a git work tree or git lists nothing under it (then the caller applies the `.gitignore`s).
 */
export async function gitFilesUnder(root: string, dir: string): Promise<string[] | undefined> {
  return gitFiles(root, dir === '' ? [] : ['--', `:(literal)${dir}`]);
}

async function gitFiles(root: string, pathspec: string[] = []): Promise<string[] | undefined> {
  try {
    const { stdout } = await execFileAsync('git', ['ls-files', '-co', '--exclude-standard', '-z', ...pathspec], {
      cwd: root,
      maxBuffer: GIT_MAX_BUFFER,
      encoding: 'utf8',
    });
    const files = stdout.split('\0').filter((file) => file !== '');
    // An ignored directory inside a work tree (node_modules/…) lists nothing: walk it instead.
    return files.length === 0 ? undefined : files;
  } catch (error) {
    debug('not a git work tree (%s): walking', (error as Error).message.split('\n', 1)[0]);
    return undefined;
  }
}

interface Rules {
  base: string;
  matcher: Ignore;
}

async function walk(root: string): Promise<string[]> {
  const files: string[] = [];
  const visit = async (dir: string, inherited: Rules[]): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const rules = [...inherited];
    const gitignore = entries.find((entry) => entry.name === '.gitignore' && entry.isFile());
    if (gitignore !== undefined) {
      const text = await readFile(join(dir, '.gitignore'), 'utf8').catch(() => '');
      rules.push({ base: dir, matcher: ignore().add(text) });
    }
    for (const entry of entries) {
      if (entry.name === '.git') continue;
      const full = join(dir, entry.name);
      const isDir = entry.isDirectory();
      if (!isDir && !entry.isFile()) continue; // symlinks, sockets: not followed (like rg)
      if (isIgnored(rules, full, isDir)) continue;
      if (isDir) await visit(full, rules);
      else files.push(toPosix(relative(root, full)));
    }
  };
  await visit(root, []);
  return files;
}

function isIgnored(rules: Rules[], full: string, isDir: boolean): boolean {
  return rules.some((rule) => {
    const rel = toPosix(relative(rule.base, full));
    return rule.matcher.ignores(isDir ? `${rel}/` : rel);
  });
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
