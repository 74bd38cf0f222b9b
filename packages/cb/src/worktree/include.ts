import { existsSync } from 'node:fs';
import { copyFile, lstat, mkdir, readFile, readlink, realpath, symlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import createDebug from 'debug';
import { z } from 'zod';
import { git, splitNul } from './git.js';

const debug = createDebug('cb:worktree');

/** The file in a repository's main checkout listing untracked files (`.env`, local config) each worktree needs. */
export const WORKTREE_INCLUDE_FILE = '.worktreeinclude';
/** Where, in a worktree's private git directory, we remember which files we copied (they are not the agent's changes). */
const INCLUDED_RECORD = 'flotilla-included.json';
const IncludedRecordSchema = z.array(z.string());

export interface IncludePatterns {
  /** gitignore-style patterns, matched by git itself. */
  patterns: string[];
  /** Lines refused because they could reach outside the repository. */
  refused: string[];
}

export interface IncludeReport {
  /** Repo-relative paths copied into the worktree. */
  copied: string[];
  /** Refused lines of `.worktreeinclude`, and files whose destination would leave the worktree. */
  refused: string[];
}

function escapesRepo(path: string): boolean {
  const normalized = path.replace(/\\/g, '/');
  return (
    normalized.split('/').includes('..') || normalized.startsWith('~') || /^[A-Za-z]:/.test(normalized) || normalized.startsWith('//')
  );
}

/**
 * Parses `.worktreeinclude`: one gitignore-style pattern a line (`.env*`, `config/*.local.json`), `#` comments.
 * A leading `/` anchors at the repository root as in `.gitignore`; lines with `..`, `~` or a drive are refused.
 *
 * @example
 *   parseWorktreeInclude('.env*\n# local\n../secrets\n'); // { patterns: ['.env*'], refused: ['../secrets'] }
 */
export function parseWorktreeInclude(text: string): IncludePatterns {
  const patterns: string[] = [];
  const refused: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim();
    if (!line || line.startsWith('#')) continue;
    const path = line.startsWith('!') ? line.slice(1) : line;
    if (escapesRepo(path)) refused.push(line);
    else patterns.push(line);
  }
  return { patterns, refused };
}

/** The repository's `.worktreeinclude`; a missing file is an empty list. */
export async function readWorktreeInclude(repoRoot: string): Promise<IncludePatterns> {
  try {
    return parseWorktreeInclude(await readFile(join(repoRoot, WORKTREE_INCLUDE_FILE), 'utf8'));
  } catch {
    return { patterns: [], refused: [] };
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

async function existingAncestor(path: string): Promise<string> {
  for (let dir = path; ; dir = dirname(dir)) {
    if (existsSync(dir) || dirname(dir) === dir) return dir;
  }
}

/** Copies one file (a symlink is copied as the link itself) unless its destination would leave the worktree. */
async function copyOne(repoRoot: string, worktreeRoot: string, rel: string): Promise<boolean> {
  const source = join(repoRoot, rel);
  const target = join(worktreeRoot, rel);
  // A tracked symlinked directory could point the copy (or the folders made for it) anywhere.
  if (!isInside(worktreeRoot, await realpath(await existingAncestor(dirname(target))))) return false;
  await mkdir(dirname(target), { recursive: true });
  const stat = await lstat(source);
  if (stat.isSymbolicLink()) await symlink(await readlink(source), target);
  else if (stat.isFile()) await copyFile(source, target);
  else return false;
  return true;
}

/**
 * Copies the untracked files of the main checkout matching `.worktreeinclude` into a new worktree,
 * and remembers them so they never count as the job's changes.
 */
export async function copyIncludedFiles(repoRoot: string, worktreePath: string): Promise<IncludeReport> {
  const { patterns, refused } = await readWorktreeInclude(repoRoot);
  for (const line of refused) debug('refused .worktreeinclude line %s', line);
  const report: IncludeReport = { copied: [], refused: [...refused] };
  if (patterns.length === 0) return report;
  const listed = await git(repoRoot, ['ls-files', '--others', '--ignored', '-z', ...patterns.map((p) => `--exclude=${p}`)], {
    readOnly: true,
  });
  if (!listed.ok) return report;
  const worktreeRoot = await realpath(worktreePath).catch(() => worktreePath);
  for (const rel of splitNul(listed.stdout)) {
    if (escapesRepo(rel) || isAbsolute(rel)) continue;
    try {
      if (await copyOne(repoRoot, worktreeRoot, rel)) report.copied.push(rel);
      else report.refused.push(rel);
    } catch (error) {
      debug('could not copy %s: %s', rel, (error as Error).message);
    }
  }
  await recordIncluded(worktreePath, report.copied).catch((error: Error) => debug('could not record included files: %s', error.message));
  debug('copied %d included file(s) into %s', report.copied.length, worktreePath);
  return report;
}

async function includedRecordPath(worktreePath: string): Promise<string | null> {
  const out = await git(worktreePath, ['rev-parse', '--absolute-git-dir'], { readOnly: true });
  return out.ok ? join(out.stdout.trim(), INCLUDED_RECORD) : null;
}

async function recordIncluded(worktreePath: string, copied: string[]): Promise<void> {
  const path = await includedRecordPath(worktreePath);
  if (path && copied.length > 0) await writeFile(path, JSON.stringify(copied), 'utf8');
}

/** The repo-relative paths `copyIncludedFiles` put into this worktree. */
export async function readIncluded(worktreePath: string): Promise<Set<string>> {
  const path = await includedRecordPath(worktreePath);
  if (!path) return new Set();
  try {
    const parsed = IncludedRecordSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return new Set(parsed.success ? parsed.data : []);
  } catch {
    return new Set();
  }
}
