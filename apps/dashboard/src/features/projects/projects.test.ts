import { describe, expect, it } from 'vitest';
import type { Job, Repo } from '@flotilla/protocol';
import { baseName, groupProjects } from './projects';

const job = (id: string, extra: Partial<Job>): Job =>
  ({ id, host: 'a', status: 'succeeded', cwd: '/elsewhere', worktree: null, createdAt: `2026-01-01T00:00:0${id.length}.000Z`, updatedAt: '2026-01-01T00:01:00.000Z', ...extra }) as Job;
const wt = (path: string, branch: string, root = '/src/app', removed = false) => ({ path, branch, base: 'main', baseCommit: 'abc', repoRoot: root, changedFiles: [], removed });

describe('groupProjects', () => {
  it('should group live jobs under their repository and worktree, with checkout jobs and ids of jobs the page does not hold', () => {
    const repos: Repo[] = [
      { root: '/src/app', host: 'a', jobs: 3, worktrees: [
        { jobId: 'j1', path: '/wt/one', branch: 'cb/one', removed: false },
        { jobId: 'old', path: '/wt/old', branch: 'cb/old', removed: true },
      ] },
    ];
    const jobs = new Map([
      ['j1', job('j1', { worktree: wt('/wt/one', 'cb/one') })],
      ['j22', job('j22', { worktree: wt('/wt/one', 'cb/one'), inJob: 'j1', status: 'running', updatedAt: '2026-01-01T00:05:00.000Z' })],
      ['j3', job('j3', { cwd: '/src/app/pkg' })],
      ['j4', job('j4', { cwd: '/src/apple' })],
      ['j5', job('j5', { worktree: wt('/wt/new', 'cb/new', '/src/lib') })],
    ]);
    const projects = groupProjects(repos, jobs);
    expect(projects.map((p) => [p.root, p.active, p.jobCount])).toEqual([
      ['/src/app', 1, 3],
      ['/src/lib', 0, 1],
    ]);
    const app = projects[0]!;
    expect(app.worktrees.map((w) => [w.path, w.branch, w.removed, w.jobs.map((j) => j.id), w.otherJobIds])).toEqual([
      ['/wt/one', 'cb/one', false, ['j22', 'j1'], []],
      ['/wt/old', 'cb/old', true, [], ['old']],
    ]);
    expect(app.checkoutJobs.map((j) => j.id)).toEqual(['j3']);
  });

  it('should keep the same repository on two hosts apart', () => {
    const repos: Repo[] = [
      { root: '/src/app', host: 'a', jobs: 1, worktrees: [] },
      { root: '/src/app', host: 'b', jobs: 1, worktrees: [] },
    ];
    expect(groupProjects(repos, new Map()).map((p) => p.key).sort()).toEqual(['a:/src/app', 'b:/src/app']);
  });
});

describe('baseName', () => {
  it('should name a repository by its last path segment', () => {
    expect([baseName('/src/app'), baseName('/src/app/'), baseName('/')]).toEqual(['app', 'app', '/']);
  });
});
