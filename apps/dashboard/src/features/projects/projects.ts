import type { Job, Repo } from '@flotilla/protocol';

export interface WorktreeView {
  path: string;
  branch: string;
  removed: boolean;
  /** The jobs that worked in it (its own and `--in-job` ones), newest first, from the live jobs. */
  jobs: Job[];
  /** Ids of its jobs the page does not hold (older than the live list): linked by id. */
  otherJobIds: string[];
  /** The latest activity in it, for ordering. */
  updatedAt: string;
}

export interface ProjectView {
  key: string;
  root: string;
  host: string;
  /** Jobs the server counts in this repository (worktree jobs). */
  jobCount: number;
  worktrees: WorktreeView[];
  /** Jobs that ran in the repository's own checkout (no worktree), newest first. */
  checkoutJobs: Job[];
  /** Jobs queued or running anywhere in it. */
  active: number;
  updatedAt: string;
}

const ACTIVE = new Set(['queued', 'starting', 'running', 'retry_wait']);

function inside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

const newestFirst = (a: Job, b: Job) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

/**
 * Repositories (from `/api/repos`) with their worktrees, branches and jobs, made current by the
 * live jobs: a job that got a worktree since the last fetch shows at once, in its repository.
 */
export function groupProjects(repos: readonly Repo[], jobs: ReadonlyMap<string, Job>): ProjectView[] {
  const projects = new Map<string, { view: ProjectView; worktrees: Map<string, WorktreeView> }>();
  const project = (host: string, root: string) => {
    const key = `${host}:${root}`;
    let entry = projects.get(key);
    if (!entry) {
      entry = { view: { key, root, host, jobCount: 0, worktrees: [], checkoutJobs: [], active: 0, updatedAt: '' }, worktrees: new Map() };
      projects.set(key, entry);
    }
    return entry;
  };
  const worktree = (entry: { worktrees: Map<string, WorktreeView> }, path: string, branch: string, removed: boolean) => {
    let view = entry.worktrees.get(path);
    if (!view) entry.worktrees.set(path, (view = { path, branch, removed, jobs: [], otherJobIds: [], updatedAt: '' }));
    return view;
  };
  for (const repo of repos) {
    const entry = project(repo.host, repo.root);
    entry.view.jobCount = repo.jobs;
    for (const wt of repo.worktrees) {
      const view = worktree(entry, wt.path, wt.branch, wt.removed);
      if (!jobs.has(wt.jobId)) view.otherJobIds.push(wt.jobId);
    }
  }
  const known = [...projects.values()];
  for (const job of jobs.values()) {
    if (job.worktree) {
      const entry = project(job.host, job.worktree.repoRoot);
      const view = worktree(entry, job.worktree.path, job.worktree.branch, job.worktree.removed);
      view.removed = job.worktree.removed;
      view.jobs.push(job);
      note(entry.view, view, job);
      continue;
    }
    const home = known.find((entry) => entry.view.host === job.host && inside(job.cwd, entry.view.root));
    if (home) {
      home.view.checkoutJobs.push(job);
      note(home.view, null, job);
    }
  }
  return [...projects.values()]
    .map(({ view, worktrees }) => {
      for (const wt of worktrees.values()) wt.jobs.sort(newestFirst);
      view.checkoutJobs.sort(newestFirst);
      view.jobCount = Math.max(view.jobCount, [...worktrees.values()].reduce((n, wt) => n + wt.jobs.length, 0));
      view.worktrees = [...worktrees.values()].sort((a, b) => Number(a.removed) - Number(b.removed) || b.updatedAt.localeCompare(a.updatedAt) || a.path.localeCompare(b.path));
      return view;
    })
    .sort((a, b) => b.active - a.active || b.updatedAt.localeCompare(a.updatedAt) || a.root.localeCompare(b.root));
}

function note(project: ProjectView, worktree: WorktreeView | null, job: Job): void {
  if (ACTIVE.has(job.status)) project.active += 1;
  if (job.updatedAt > project.updatedAt) project.updatedAt = job.updatedAt;
  if (worktree && job.updatedAt > worktree.updatedAt) worktree.updatedAt = job.updatedAt;
}

/** The last path segment: a repository's name. */
export function baseName(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() || path;
}
