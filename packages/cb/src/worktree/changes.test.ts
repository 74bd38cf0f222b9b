import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changedFiles, worktreeDiff } from './changes.js';
import { createWorktree, type CreatedWorktree } from './create.js';
import { removeWorktree } from './remove.js';

interface Fixture {
  dir: string;
  root: string;
  wt: CreatedWorktree;
  git(cwd: string, ...args: string[]): string;
}

async function createFixture(): Promise<Fixture> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'cb-wt-')));
  const root = join(dir, 'app');
  mkdirSync(root);
  const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' });
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.email', 'test@example.com');
  git(root, 'config', 'user.name', 'Test');
  writeFileSync(join(root, 'README.md'), '# app\n');
  writeFileSync(join(root, 'keep.txt'), 'keep\n');
  writeFileSync(join(root, '.gitignore'), 'build/\n');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'initial');
  const created = await createWorktree({ repoRoot: root, worktreesDir: join(dir, 'worktrees'), jobId: '01JD8X3Q5ZK7M2N4P6R8T0V2WA', prompt: 'p' });
  if (!created.ok) throw new Error(created.message);
  return { dir, root, wt: created.value, git };
}

describe('changedFiles and worktreeDiff', () => {
  let f: Fixture;
  beforeEach(async () => void (f = await createFixture()));
  afterEach(() => rmSync(f.dir, { recursive: true, force: true }));

  it('should list committed, staged, unstaged and untracked files but not ignored ones', async () => {
    const at = (name: string): string => join(f.wt.path, name);
    writeFileSync(at('committed.txt'), 'c\n');
    f.git(f.wt.path, 'add', 'committed.txt');
    f.git(f.wt.path, 'commit', '-q', '-m', 'work');
    writeFileSync(at('staged.txt'), 's\n');
    f.git(f.wt.path, 'add', 'staged.txt');
    writeFileSync(at('README.md'), '# changed\n');
    rmSync(at('keep.txt'));
    mkdirSync(at('src'));
    writeFileSync(at('src/new file.ts'), 'export {};\n');
    mkdirSync(at('build'));
    writeFileSync(at('build/out.js'), 'ignored\n');
    expect(await changedFiles(f.wt)).toEqual({
      ok: true,
      value: ['README.md', 'committed.txt', 'keep.txt', 'src/new file.ts', 'staged.txt'],
    });
  });

  it('should include untracked files in the diff without touching the worktree index', async () => {
    writeFileSync(join(f.wt.path, 'README.md'), '# changed\n');
    writeFileSync(join(f.wt.path, 'notes*.md'), 'hello\n');
    const before = f.git(f.wt.path, 'ls-files', '--stage');
    const diff = await worktreeDiff(f.wt);
    if (!diff.ok) throw new Error(diff.message);
    expect(diff.value).toContain('diff --git a/README.md b/README.md');
    expect(diff.value).toContain('+# changed');
    expect(diff.value).toContain('new file mode 100644');
    expect(diff.value).toContain('+hello');
    expect(f.git(f.wt.path, 'ls-files', '--stage')).toBe(before);
    expect(f.git(f.wt.path, 'status', '--porcelain')).toBe(' M README.md\n?? notes*.md\n');
  });

  it('should report a worktree that no longer exists', async () => {
    rmSync(f.wt.path, { recursive: true });
    expect(await changedFiles(f.wt)).toMatchObject({ ok: false, code: 'WORKTREE_GONE' });
    expect(await worktreeDiff(f.wt)).toMatchObject({ ok: false, code: 'WORKTREE_GONE' });
  });
});

describe('removeWorktree', () => {
  let f: Fixture;
  beforeEach(async () => void (f = await createFixture()));
  afterEach(() => rmSync(f.dir, { recursive: true, force: true }));

  const branchExists = (): boolean => f.git(f.root, 'branch', '--list', f.wt.branch).trim() !== '';

  it('should remove a clean worktree and delete its branch', async () => {
    expect(await removeWorktree(f.wt)).toEqual({ removed: true, branchDeleted: true, reason: null });
    expect(existsSync(f.wt.path)).toBe(false);
    expect(branchExists()).toBe(false);
    expect(f.git(f.root, 'worktree', 'list', '--porcelain')).not.toContain(f.wt.path);
  });

  it('should keep a worktree with uncommitted changes unless forced', async () => {
    writeFileSync(join(f.wt.path, 'draft.txt'), 'wip\n');
    writeFileSync(join(f.wt.path, 'README.md'), 'edited\n');
    expect(await removeWorktree(f.wt)).toEqual({
      removed: false,
      branchDeleted: false,
      reason: 'kept because it has uncommitted changes in 2 files (force to remove)',
    });
    expect(existsSync(join(f.wt.path, 'draft.txt'))).toBe(true);
    expect(await removeWorktree(f.wt, { force: true })).toEqual({ removed: true, branchDeleted: true, reason: null });
    expect(existsSync(f.wt.path)).toBe(false);
  });

  it('should keep a worktree whose branch has commits not in the base', async () => {
    writeFileSync(join(f.wt.path, 'done.txt'), 'done\n');
    f.git(f.wt.path, 'add', '.');
    f.git(f.wt.path, 'commit', '-q', '-m', 'work');
    const kept = await removeWorktree(f.wt);
    expect(kept).toEqual({
      removed: false,
      branchDeleted: false,
      reason: `kept because branch ${f.wt.branch} has 1 commit not in its base (force to remove)`,
    });
    expect(branchExists()).toBe(true);
  });

  it('should prune a worktree whose folder was already deleted', async () => {
    rmSync(f.wt.path, { recursive: true });
    expect(await removeWorktree(f.wt)).toEqual({ removed: true, branchDeleted: true, reason: null });
    expect(f.git(f.root, 'worktree', 'list', '--porcelain')).not.toContain(f.wt.path);
  });

  it('should prune a deleted worktree folder but keep a branch with commits', async () => {
    writeFileSync(join(f.wt.path, 'done.txt'), 'done\n');
    f.git(f.wt.path, 'add', '.');
    f.git(f.wt.path, 'commit', '-q', '-m', 'work');
    rmSync(f.wt.path, { recursive: true });
    expect(await removeWorktree(f.wt)).toMatchObject({ removed: true, branchDeleted: false, reason: expect.stringContaining('1 commit') });
    expect(branchExists()).toBe(true);
    expect(f.git(f.root, 'worktree', 'list', '--porcelain')).not.toContain(f.wt.path);
  });

  it('should not count .worktreeinclude copies as uncommitted work', async () => {
    rmSync(f.dir, { recursive: true, force: true });
    f = await createFixture();
    writeFileSync(join(f.root, 'local.cfg'), 'x=1\n');
    writeFileSync(join(f.root, '.worktreeinclude'), 'local.cfg\n');
    const created = await createWorktree({ repoRoot: f.root, worktreesDir: join(f.dir, 'worktrees'), jobId: '01JD8X3Q5ZK7M2N4P6R8T0V2WB', prompt: 'q' });
    if (!created.ok) throw new Error(created.message);
    expect(existsSync(join(created.value.path, 'local.cfg'))).toBe(true);
    expect(await removeWorktree(created.value)).toEqual({ removed: true, branchDeleted: true, reason: null });
  });
});
