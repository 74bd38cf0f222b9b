import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changedFiles } from './changes.js';
import { createWorktree, worktreePathFor } from './create.js';
import { currentRef, findRepoRoot } from './git.js';

interface TestRepo {
  dir: string;
  root: string;
  worktreesDir: string;
  git(...args: string[]): string;
}

function createTestRepo(): TestRepo {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'cb-wt-')));
  const root = join(dir, 'app');
  mkdirSync(root);
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'Test');
  writeFileSync(join(root, 'README.md'), '# app\n');
  writeFileSync(join(root, '.gitignore'), '.env\nnode_modules/\n');
  git('add', '.');
  git('commit', '-q', '-m', 'initial');
  return { dir, root, worktreesDir: join(dir, 'home', 'worktrees'), git };
}

const JOB_A = '01JD8X3Q5ZK7M2N4P6R8T0V2WA';
const JOB_B = '01JD8X3Q5ZK7M2N4P6R8T0V2WB';

describe('findRepoRoot and currentRef', () => {
  let repo: TestRepo;
  beforeEach(() => void (repo = createTestRepo()));
  afterEach(() => rmSync(repo.dir, { recursive: true, force: true }));

  it('should find the root from a subfolder and return null outside a repository', async () => {
    mkdirSync(join(repo.root, 'src'));
    expect(await findRepoRoot(join(repo.root, 'src'))).toBe(repo.root);
    expect(await findRepoRoot(repo.dir)).toBeNull();
    expect(await findRepoRoot(join(repo.dir, 'missing'))).toBeNull();
  });

  it('should return the branch, or the commit when detached', async () => {
    expect(await currentRef(repo.root)).toBe('main');
    const head = repo.git('rev-parse', 'HEAD').trim();
    repo.git('checkout', '-q', '--detach');
    expect(await currentRef(repo.root)).toBe(head);
  });
});

describe('createWorktree', () => {
  let repo: TestRepo;
  beforeEach(() => void (repo = createTestRepo()));
  afterEach(() => rmSync(repo.dir, { recursive: true, force: true }));

  it('should create the worktree under worktreesDir on a new flotilla branch', async () => {
    const result = await createWorktree({ repoRoot: repo.root, worktreesDir: repo.worktreesDir, jobId: JOB_A, prompt: 'Fix the login bug' });
    if (!result.ok) throw new Error(result.message);
    const wt = result.value;
    expect(wt.path).toBe(worktreePathFor(repo.worktreesDir, repo.root, JOB_A));
    expect(wt.path).toMatch(/\/home\/worktrees\/app-[0-9a-f]{8}\/01JD8X3Q5ZK7M2N4P6R8T0V2WA$/);
    expect(wt.branch).toBe('flotilla/r8t0v2wa-fix-the-login-bug');
    expect(wt.base).toBe('main');
    expect(wt.baseCommit).toBe(repo.git('rev-parse', 'main').trim());
    expect(wt.repoRoot).toBe(repo.root);
    expect(wt.setup).toBeNull();
    expect(readFileSync(join(wt.path, 'README.md'), 'utf8')).toBe('# app\n');
    expect(repo.git('rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
  });

  it('should honour an explicit base and branch, and explain a bad base', async () => {
    repo.git('tag', 'v1');
    writeFileSync(join(repo.root, 'later.txt'), 'later\n');
    repo.git('add', '.');
    repo.git('commit', '-q', '-m', 'later');
    const options = { repoRoot: repo.root, worktreesDir: repo.worktreesDir, jobId: JOB_A, prompt: 'x' };
    const tagged = await createWorktree({ ...options, base: 'v1', branch: 'feature/mine' });
    if (!tagged.ok) throw new Error(tagged.message);
    expect(tagged.value.branch).toBe('feature/mine');
    expect(existsSync(join(tagged.value.path, 'later.txt'))).toBe(false);

    const bad = await createWorktree({ ...options, jobId: JOB_B, base: 'no-such-branch' });
    expect(bad).toEqual({ ok: false, code: 'WORKTREE_FAILED', message: expect.stringContaining('"no-such-branch" is not a branch, tag or commit') });
    const taken = await createWorktree({ ...options, jobId: JOB_B, branch: 'feature/mine' });
    expect(taken.ok || taken.message).toMatch(/already exists/);
    const notRepo = await createWorktree({ ...options, repoRoot: repo.dir });
    expect(notRepo.ok || notRepo.code).toBe('NOT_A_GIT_REPO');
    const inside = await createWorktree({ ...options, jobId: JOB_B, worktreesDir: join(repo.root, '.worktrees') });
    expect(inside.ok || inside.message).toMatch(/outside the checkout/);
  });

  it('should create concurrent worktrees whose files stay apart', async () => {
    const ids = [JOB_A, JOB_B, '01JD8X3Q5ZK7M2N4P6R8T0V2WC', '01JD8X3Q5ZK7M2N4P6R8T0V2WD'];
    const results = await Promise.all(
      ids.map((jobId) => createWorktree({ repoRoot: repo.root, worktreesDir: repo.worktreesDir, jobId, prompt: 'same prompt' })),
    );
    const wts = results.map((r) => {
      if (!r.ok) throw new Error(r.message);
      return r.value;
    });
    expect(new Set(wts.map((w) => w.branch)).size).toBe(ids.length);
    writeFileSync(join(wts[0]!.path, 'a.txt'), 'from a\n');
    writeFileSync(join(wts[1]!.path, 'b.txt'), 'from b\n');
    expect(existsSync(join(wts[1]!.path, 'a.txt'))).toBe(false);
    expect(existsSync(join(wts[0]!.path, 'b.txt'))).toBe(false);
    expect(existsSync(join(repo.root, 'a.txt'))).toBe(false);
    expect(await changedFiles(wts[0]!)).toEqual({ ok: true, value: ['a.txt'] });
    expect(await changedFiles(wts[1]!)).toEqual({ ok: true, value: ['b.txt'] });
  });

  it('should retry while another git process holds the branch lock', async () => {
    const lock = join(repo.root, '.git', 'refs', 'heads', 'feature', 'locked.lock');
    mkdirSync(join(lock, '..'), { recursive: true });
    writeFileSync(lock, '');
    setTimeout(() => rmSync(lock), 300);
    const options = { repoRoot: repo.root, worktreesDir: repo.worktreesDir, jobId: JOB_A, prompt: 'p', branch: 'feature/locked' };
    const result = await createWorktree(options);
    expect(result.ok || result.message).toBe(true);
  });

  it('should copy .worktreeinclude files, globs included, and refuse paths outside the repository', async () => {
    writeFileSync(join(repo.dir, 'x'), 'outside secret\n');
    mkdirSync(join(repo.root, 'config'));
    writeFileSync(join(repo.root, '.env'), 'TOKEN=1\n');
    writeFileSync(join(repo.root, '.env.local'), 'LOCAL=1\n');
    writeFileSync(join(repo.root, 'config', 'db.local.json'), '{}\n');
    writeFileSync(join(repo.root, 'config', 'db.json'), '{"shared":true}\n');
    writeFileSync(join(repo.root, '.worktreeinclude'), '# local files\n.env*\nconfig/*.local.json\nmissing.txt\n../x\n');
    const result = await createWorktree({ repoRoot: repo.root, worktreesDir: repo.worktreesDir, jobId: JOB_A, prompt: 'p' });
    if (!result.ok) throw new Error(result.message);
    const wt = result.value;
    expect(wt.included).toEqual({ copied: ['.env', '.env.local', 'config/db.local.json'], refused: ['../x'] });
    expect(readFileSync(join(wt.path, '.env'), 'utf8')).toBe('TOKEN=1\n');
    expect(existsSync(join(wt.path, 'config', 'db.json'))).toBe(false);
    expect(existsSync(join(wt.path, '..', 'x'))).toBe(false);
    expect(readFileSync(join(repo.dir, 'x'), 'utf8')).toBe('outside secret\n');
    // Copied files are setup, not the job's changes.
    expect(await changedFiles(wt)).toEqual({ ok: true, value: [] });
  });

  it('should run the setup command once in the worktree and report a failing one without failing', async () => {
    const log = join(repo.dir, 'setup.log');
    repo.git('config', 'flotilla.setup', `pwd >> ${log}; echo "$FLOTILLA_JOB_ID" >> ${log}`);
    const result = await createWorktree({ repoRoot: repo.root, worktreesDir: repo.worktreesDir, jobId: JOB_A, prompt: 'p' });
    if (!result.ok) throw new Error(result.message);
    expect(result.value.setup).toMatchObject({ ok: true, exitCode: 0, timedOut: false });
    expect(readFileSync(log, 'utf8')).toBe(`${result.value.path}\n${JOB_A}\n`);

    const failing = await createWorktree({
      repoRoot: repo.root,
      worktreesDir: repo.worktreesDir,
      jobId: JOB_B,
      prompt: 'p',
      setupCommand: 'echo broken >&2; exit 3',
    });
    if (!failing.ok) throw new Error(failing.message);
    expect(failing.value.setup).toMatchObject({ ok: false, exitCode: 3, stderr: 'broken\n', command: 'echo broken >&2; exit 3' });
    expect(existsSync(failing.value.path)).toBe(true);
    expect(readFileSync(log, 'utf8').split('\n')).toHaveLength(3);
  });
});
