import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@flotilla/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { branchesOf, makeRepoWithRemote } from '../test-support/git-fixture.js';
import { commitLeftovers, commitMessage, commitsAhead, pushBranch, uncommittedPaths } from './commit-push.js';
import { git } from './run-git.js';
import { runSetup } from './setup.js';
import { ensureWorktree, removeWorktree, worktreeOfBranch } from './worktree.js';

describe('git side', () => {
  let tmp: TempDir;
  beforeEach(async () => {
    tmp = await makeTempDir('director-git-');
  });
  afterEach(async () => {
    await tmp[Symbol.asyncDispose]();
  });

  it('should make one worktree per ticket branch off the base, commit, push and clean up', async () => {
    const { repo, remote } = await makeRepoWithRemote(tmp.path, 'api');
    const worktreesDir = join(tmp.path, 'worktrees');
    const input = { repoPath: repo, repoName: 'api', branch: 'flotilla/t/board-AUTH-12', base: 'main', worktreesDir };
    const wt = await ensureWorktree(input);
    expect(wt).toMatchObject({ from: 'base', reused: false, branch: 'flotilla/t/board-AUTH-12' });
    expect(await ensureWorktree(input)).toMatchObject({ path: wt.path, reused: true });

    expect(await commitLeftovers(wt.path, 'AUTH-12: nothing')).toEqual({ committed: false, reason: 'nothing to commit: the agent left no uncommitted changes' });
    await writeFile(join(wt.path, 'limiter.ts'), 'export const limit = 10;\n');
    await writeFile(join(wt.path, 'README.md'), '# changed\n');
    const message = commitMessage([{ id: 'AUTH-12', title: 'add a rate limiter; $(rm -rf /) `x`' }]);
    const commit = await commitLeftovers(wt.path, message);
    expect(commit.committed).toBe(true);
    expect(await git(wt.path, ['log', '-1', '--format=%s'])).toBe('AUTH-12: add a rate limiter; $(rm -rf /) `x`');
    expect(await commitsAhead(wt.path, wt.baseCommit)).toBe(1);

    expect(await pushBranch(wt.path, wt.branch)).toEqual({ pushed: true, remote: 'origin' });
    expect(await branchesOf(remote)).toEqual(['flotilla/t/board-AUTH-12', 'main']);
    await removeWorktree(repo, wt.path);
    expect(existsSync(wt.path)).toBe(false);
    expect(await worktreeOfBranch(repo, wt.branch)).toBeNull();
    expect(await branchesOf(repo)).toContain('flotilla/t/board-AUTH-12');
  });

  it('should reuse the existing branch, local or on origin, instead of making a second', async () => {
    const { repo } = await makeRepoWithRemote(tmp.path, 'api');
    const worktreesDir = join(tmp.path, 'worktrees');
    const input = { repoPath: repo, repoName: 'api', branch: 'flotilla/t/github-acme-api-7', base: 'main', worktreesDir };
    const first = await ensureWorktree(input);
    await writeFile(join(first.path, 'a.txt'), 'a\n');
    await commitLeftovers(first.path, 'acme/api#7: a');
    await pushBranch(first.path, first.branch);
    await removeWorktree(repo, first.path);

    const again = await ensureWorktree(input);
    expect(again).toMatchObject({ from: 'local_branch', reused: false });
    expect(await commitsAhead(again.path, again.baseCommit)).toBe(1);
    await removeWorktree(repo, again.path);

    // Another machine's checkout: the branch exists only on origin.
    await git(repo, ['branch', '-D', input.branch]);
    const fromRemote = await ensureWorktree(input);
    expect(fromRemote.from).toBe('remote_branch');
    expect(existsSync(join(fromRemote.path, 'a.txt'))).toBe(true);
  });

  it('should keep a repo without origin local', async () => {
    const { repo } = await makeRepoWithRemote(tmp.path, 'solo', { remote: false });
    const wt = await ensureWorktree({ repoPath: repo, repoName: 'solo', branch: 'flotilla/t/board-T-1', base: 'main', worktreesDir: join(tmp.path, 'wt') });
    expect(await pushBranch(wt.path, wt.branch)).toEqual({ pushed: false, reason: 'the repo has no origin remote; the branch stays local' });
    await expect(ensureWorktree({ repoPath: repo, repoName: 'solo', branch: 'x', base: 'nope', worktreesDir: join(tmp.path, 'wt') })).rejects.toThrow(
      /the base "nope" is neither a branch/,
    );
  });

  it('should run a setup command in the worktree and report its failure', async () => {
    const { repo } = await makeRepoWithRemote(tmp.path, 'api');
    const wt = await ensureWorktree({ repoPath: repo, repoName: 'api', branch: 'flotilla/t/board-T-1', base: 'main', worktreesDir: join(tmp.path, 'wt') });
    expect(await runSetup(wt.path, 'echo ready > .setup-done && echo installed')).toEqual({ ok: true, exitCode: 0, tail: 'installed' });
    expect(existsSync(join(wt.path, '.setup-done'))).toBe(true);
    expect(await runSetup(wt.path, 'mkdir -p deps/a && touch deps/a/x')).toMatchObject({ ok: true });
    const made = await uncommittedPaths(wt.path);
    expect(made).toEqual(['.setup-done', 'deps/']);
    await writeFile(join(wt.path, 'fix.ts'), 'export {};\n');
    expect(await commitLeftovers(wt.path, 'T-1: fix', { exclude: made })).toMatchObject({ committed: true });
    expect((await git(wt.path, ['show', '--name-only', '--format=', 'HEAD'])).split('\n')).toEqual(['fix.ts']);
    expect(await runSetup(wt.path, 'echo missing dependency >&2; exit 3')).toEqual({ ok: false, exitCode: 3, tail: 'missing dependency' });
  });
});
