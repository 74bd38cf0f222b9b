import { useEffect, useMemo, useState } from 'react';
import type { Job, Repo } from '@flotilla/protocol';
import { client, describeError } from '../../api/client';
import { Link } from '../../app/router';
import { useLive, useLiveEvents, useNow } from '../../live/hooks';
import { Badge, Empty, ErrorNote, JobStatusBadge, Loading, Section } from '../../ui/components';
import { firstLine, formatSince } from '../../ui/format';
import { baseName, groupProjects, type ProjectView, type WorktreeView } from './projects';

/** Jobs that start or end close together refetch the repositories once. */
const REFETCH_DELAY_MS = 1000;
/** Checkout jobs listed per repository; the rest are on the Jobs page. */
const CHECKOUT_LIMIT = 8;

/** `/api/repos`, refetched when jobs are created or end (a new worktree, a removed one). */
function useRepos(): { repos: Repo[] | null; error: string | null } {
  const [repos, setRepos] = useState<Repo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(0);
  useLiveEvents((event) => {
    if (event.type === 'job.created' || event.type === 'job.ended') setStale((n) => n + 1);
  });
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(
      () =>
        client.repos().then(
          (next) => {
            if (cancelled) return;
            setRepos(next);
            setError(null);
          },
          (e: unknown) => !cancelled && setError(describeError(e)),
        ),
      stale === 0 ? 0 : REFETCH_DELAY_MS,
    );
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [stale]);
  return { repos, error };
}

export function Projects() {
  const { repos, error } = useRepos();
  const jobs = useLive((s) => s.jobs);
  const projects = useMemo(() => (repos ? groupProjects(repos, jobs) : null), [repos, jobs]);
  return (
    <div className="page" data-testid="projects">
      <h1>Projects</h1>
      <ErrorNote error={error} />
      {projects === null ? (
        error ? null : <Loading lines={6} />
      ) : projects.length === 0 ? (
        <Section title="No repositories yet">
          <Empty>Repositories show here once a job runs in one with a worktree (cb --worktree, or “worktree” on the New job page).</Empty>
        </Section>
      ) : (
        projects.map((project) => <ProjectCard key={project.key} project={project} />)
      )}
    </div>
  );
}

function ProjectCard({ project }: { project: ProjectView }) {
  const live = project.worktrees.filter((wt) => !wt.removed);
  const title = (
    <>
      {baseName(project.root)} <span className="muted projects-host">on {project.host}</span>
    </>
  );
  return (
    <Section title={title} id={`project-${project.key.replace(/[^a-zA-Z0-9_-]/g, '-')}`}>
      <div className="projects-card" data-repo={project.root} data-host={project.host}>
        <div className="row-meta">
          <span className="mono projects-path">{project.root}</span>
          <span>{project.jobCount} worktree jobs</span>
          <span>
            {live.length} worktrees{project.worktrees.length > live.length ? ` (+${project.worktrees.length - live.length} removed)` : ''}
          </span>
          {project.active ? <Badge tone="active">{project.active} active</Badge> : null}
        </div>
        {project.worktrees.length ? (
          <ul className="projects-worktrees">
            {project.worktrees.map((wt) => (
              <WorktreeItem key={wt.path} worktree={wt} />
            ))}
          </ul>
        ) : null}
        {project.checkoutJobs.length ? (
          <div className="projects-checkout">
            <h3 className="projects-branch">In the checkout itself</h3>
            <JobRows jobs={project.checkoutJobs.slice(0, CHECKOUT_LIMIT)} />
            {project.checkoutJobs.length > CHECKOUT_LIMIT ? (
              <p className="muted">
                and {project.checkoutJobs.length - CHECKOUT_LIMIT} more on the <Link to="/jobs">Jobs page</Link>
              </p>
            ) : null}
          </div>
        ) : null}
      </div>
    </Section>
  );
}

function WorktreeItem({ worktree }: { worktree: WorktreeView }) {
  return (
    <li className="projects-worktree" data-worktree={worktree.path} data-branch={worktree.branch}>
      <div className="projects-worktree-head">
        <h3 className="projects-branch">
          <span className="sr-label">branch </span>
          <span className="mono">{worktree.branch}</span>
        </h3>
        {worktree.removed ? <Badge tone="muted">worktree removed</Badge> : <Badge tone="good">worktree present</Badge>}
      </div>
      <div className="mono muted projects-path">{worktree.path}</div>
      <JobRows jobs={worktree.jobs} />
      {worktree.otherJobIds.length ? (
        <div className="row-meta">
          <span>older:</span>
          {worktree.otherJobIds.map((id) => (
            <Link key={id} to={`/jobs/${id}`} className="mono">
              {id}
            </Link>
          ))}
        </div>
      ) : null}
    </li>
  );
}

function JobRows({ jobs }: { jobs: Job[] }) {
  const now = useNow(10_000);
  if (!jobs.length) return null;
  return (
    <ul className="rows">
      {jobs.map((job) => (
        <li key={job.id} className="row" data-job-id={job.id}>
          <div className="row-title">
            <Link to={`/jobs/${job.id}`}>{firstLine(job.prompt, 100)}</Link> <span className="muted">· {job.agent}</span>
          </div>
          <div className="row-side">
            <JobStatusBadge status={job.status} />
            <span className="since">{formatSince(job.endedAt ?? job.startedAt ?? job.createdAt, now)} ago</span>
          </div>
        </li>
      ))}
    </ul>
  );
}
