/** Default corpora (what is installed on the machine) and file counting/limiting for the benches. */
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CODEKB_DIR } from './common.mjs';

export const PNPM_DIR = join(CODEKB_DIR, '../../node_modules/.pnpm');
export const PYTHON_STDLIB = '/usr/lib/python3.11';

/** `<pnpm>/<name>@<version>/node_modules/<name>` of the first installed version of a package. */
export function pnpmPackage(name, sub = '') {
  if (!existsSync(PNPM_DIR)) return null;
  const entry = readdirSync(PNPM_DIR)
    .filter((e) => e.startsWith(`${name}@`))
    .sort()
    .at(-1);
  const dir = entry && join(PNPM_DIR, entry, 'node_modules', name, sub);
  return dir && existsSync(dir) ? dir : null;
}

/** Regular files under `dir` (no symlinks followed, `.git` skipped), sorted, relative. */
export function listRegularFiles(dir) {
  const out = [];
  const visit = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const full = join(d, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile()) out.push(relative(dir, full));
    }
  };
  visit(dir);
  return out.sort();
}

/**
 * The corpus to benchmark: `dir` itself when it has at most `maxFiles` regular files, otherwise a
 * copy of the first `maxFiles` (sorted by path) under `scratch`. Says what it limited.
 */
export function limitCorpus(dir, maxFiles, scratch) {
  const files = listRegularFiles(dir);
  const bytes = files.reduce((s, f) => s + lstatSync(join(dir, f)).size, 0);
  if (files.length <= maxFiles) return { root: dir, files: files.length, totalFiles: files.length, bytes, limited: false };
  const root = join(scratch, 'limited');
  let kept = 0;
  for (const f of files.slice(0, maxFiles)) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    copyFileSync(join(dir, f), join(root, f));
    kept += lstatSync(join(root, f)).size;
  }
  return { root, files: maxFiles, totalFiles: files.length, bytes: kept, limited: true };
}

/**
 * One tree made of several: each of `dirs` copied (regular files only, symlinks skipped) under
 * `scratch/composed/<n>-<basename>`, for a repository bigger than any single tree on the machine.
 */
export function composeCorpus(dirs, scratch) {
  const root = join(scratch, 'composed');
  let files = 0;
  for (const [n, dir] of dirs.entries()) {
    const target = join(root, `${n}-${dir.split('/').filter(Boolean).at(-1)}`);
    for (const f of listRegularFiles(dir)) {
      mkdirSync(dirname(join(target, f)), { recursive: true });
      copyFileSync(join(dir, f), join(target, f));
      files++;
    }
  }
  return { root, files };
}
