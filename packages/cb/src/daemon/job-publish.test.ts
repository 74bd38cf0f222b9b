import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newJob, type Job } from '@flotilla/protocol';
import { createWorktree } from '../worktree/index.js';
import { baseForPublishing, publishWork } from './job-publish.js';

const PUBLISH = { branch: 'flotilla/t/board-T-1', message: 'T-1: add a greeting' };

interface World {
  dir: string;
  /** The host's clone (origin: `remote`). */
  root: string;
  remote: string;
  git(cwd: string, ...args: string[]): string;
}

function makeWorld(): World {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'cb-publish-')));
  const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
  const seed = join(dir, 'seed');
  mkdirSync(seed);
  git(seed, 'init', '-q', '-b', 'main');
  git(seed, 'config', 'user.email', 'seed@example.com');
  git(seed, 'config', 'user.name', 'Seed');
  writeFileSync(join(seed, 'README.md'), '# app\n');
  git(seed, 'add', '.');
  git(seed, 'commit', '-q', '-m', 'initial');
  const remote = join(dir, 'origin.git');
  git(dir, 'clone', '-q', '--bare', seed, remote);
  const root = join(dir, 'clone');
  git(dir, 'clone', '-q', remote, root);
  return { dir, root, remote, git };
}

/** A job as the daemon holds it once its worktree exists. */
async function jobInWorktree(world: World, jobId: string, base: string | undefined): Promise<Job> {
  const made = await createWorktree({ repoRoot: world.root, worktreesDir: join(world.dir, 'worktrees'), jobId, prompt: 'greet', base });
  if (!made.ok) throw new Error(made.message);
  const wt = made.value;
  return newJob(
    { id: jobId, host: 'far', agent: 'scripted', model: null, prompt: 'greet', cwd: wt.path, permissions: 'accept-edits', now: new Date().toISOString() },
    { worktree: { path: wt.path, branch: wt.branch, base: wt.base, baseCommit: wt.baseCommit, repoRoot: wt.repoRoot, changedFiles: [], removed: false }, publish: PUBLISH },
  );
}

describe('a job that publishes its work on origin', () => {
  let world: World;
  beforeEach(() => void (world = makeWorld()));
  afterEach(() => rmSync(world.dir, { recursive: true, force: true }));

  it('should commit the leftovers with the message, push them as the branch, and continue from it next time', async () => {
    // origin moved after the clone: the worktree must start from origin's main, not the stale local one.
    const other = join(world.dir, 'other');
    world.git(world.dir, 'clone', '-q', world.remote, other);
    writeFileSync(join(other, 'CHANGELOG.md'), 'v2\n');
    world.git(other, 'add', '.');
    world.git(other, '-c', 'user.email=o@example.com', '-c', 'user.name=O', 'commit', '-q', '-m', 'changelog');
    world.git(other, 'push', '-q', 'origin', 'main');

    expect(await baseForPublishing(world.root, PUBLISH, 'origin/main')).toBe('origin/main');
    const first = await jobInWorktree(world, '01JD8X3Q5ZK7M2N4P6R8T0V2WA', 'origin/main');
    expect(first.worktree!.baseCommit).toBe(world.git(world.remote, 'rev-parse', 'main'));
    writeFileSync(join(first.worktree!.path, 'greeting.txt'), 'hello\n');
    const published = await publishWork(first);
    expect(published).toMatchObject({ ok: true, detail: expect.stringContaining(`to origin ${PUBLISH.branch}`) });
    expect(world.git(world.remote, 'log', '-1', '--format=%s', PUBLISH.branch)).toBe(PUBLISH.message);
    expect(world.git(world.remote, 'show', `${PUBLISH.branch}:greeting.txt`)).toBe('hello');
    // Run twice (a daemon restarted mid-finalize): nothing new, the same commit on origin.
    expect(await publishWork(first)).toMatchObject({ ok: true });
    expect(world.git(world.remote, 'rev-list', '--count', `main..${PUBLISH.branch}`)).toBe('1');

    // The next attempt starts from the published branch.
    expect(await baseForPublishing(world.root, PUBLISH, 'origin/main')).toBe(`origin/${PUBLISH.branch}`);
    const second = await jobInWorktree(world, '01JD8X3Q5ZK7M2N4P6R8T0V2WB', `origin/${PUBLISH.branch}`);
    expect(await publishWork(second)).toEqual({ ok: true, detail: `nothing to publish: ${second.worktree!.branch} is still at its base` });
  });

  it('should fail the publish, in words, when origin moved the branch elsewhere, and refuse a repository without origin', async () => {
    const job = await jobInWorktree(world, '01JD8X3Q5ZK7M2N4P6R8T0V2WA', 'origin/main');
    const other = join(world.dir, 'other');
    world.git(world.dir, 'clone', '-q', world.remote, other);
    world.git(other, '-c', 'user.email=o@example.com', '-c', 'user.name=O', 'commit', '-q', '--allow-empty', '-m', 'elsewhere');
    world.git(other, 'push', '-q', 'origin', `HEAD:refs/heads/${PUBLISH.branch}`);
    writeFileSync(join(job.worktree!.path, 'greeting.txt'), 'hello\n');
    const result = await publishWork(job);
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining(`the push to origin ${PUBLISH.branch} failed`) });

    // A name git would not take as a branch is refused before anything is fetched or pushed.
    for (const branch of ['main:refs/heads/other', '--force', 'a..b', 'has space']) {
      await expect(baseForPublishing(world.root, { ...PUBLISH, branch }, 'main')).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('is not a valid branch name') });
    }
    world.git(world.root, 'remote', 'remove', 'origin');
    await expect(baseForPublishing(world.root, PUBLISH, 'main')).rejects.toThrow(/has no origin remote/);
  });
});
