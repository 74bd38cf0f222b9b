import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@flotilla/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRepoWithRemote } from '../test-support/git-fixture.js';
import { commitLeftovers } from './commit-push.js';
import { dropLocalWorktree, fetchPublishedBranch } from './published-branch.js';
import { git } from './run-git.js';
import { ensureWorktree, worktreeOfBranch } from './worktree.js';

const BRANCH = 'flotilla/t/board-T-1';

describe('a branch published on origin by a job on another host', () => {
  let tmp: TempDir;
  beforeEach(async () => {
    tmp = await makeTempDir('director-published-');
  });
  afterEach(async () => {
    await tmp[Symbol.asyncDispose]();
  });

  it('should count nothing before it is published, then bring it here, replacing a failed attempt\'s unpushed local commits', async () => {
    const { repo, remote } = await makeRepoWithRemote(tmp.path, 'api');
    expect(await fetchPublishedBranch(repo, BRANCH, 'main')).toEqual({ ahead: 0 });
    // An earlier attempt here committed on the branch, never pushed, and its worktree is still there.
    const wt = await ensureWorktree({ repoPath: repo, repoName: 'api', branch: BRANCH, base: 'main', worktreesDir: join(tmp.path, 'wt') });
    await writeFile(join(wt.path, 'failed.txt'), 'x\n');
    await commitLeftovers(wt.path, 'T-1: failed attempt');
    await dropLocalWorktree(repo, BRANCH);
    expect(await worktreeOfBranch(repo, BRANCH)).toBeNull();
    // Far's clone publishes the work.
    const far = join(tmp.path, 'far');
    await git(tmp.path, ['clone', '--quiet', remote, far]);
    await writeFile(join(far, 'greeting.txt'), 'hello\n');
    await commitLeftovers(far, 'T-1: add a greeting');
    await git(far, ['push', '--quiet', 'origin', `HEAD:refs/heads/${BRANCH}`]);

    expect(await fetchPublishedBranch(repo, BRANCH, 'main')).toEqual({ ahead: 1 });
    expect(await git(repo, ['log', '-1', '--format=%s', BRANCH])).toBe('T-1: add a greeting');
    expect(await git(repo, ['rev-parse', BRANCH])).toBe(await git(remote, ['rev-parse', BRANCH]));
  });
});
