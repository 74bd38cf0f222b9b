import { useEffect, useRef, useState } from 'react';
import { isTerminal } from '@flotilla/protocol';
import { Link } from '../app/router';
import { client } from '../api/client';
import { ErrorNote, Loading } from '../ui/components';
import { Attempts } from '../features/jobs/Attempts';
import { DiffView } from '../features/jobs/DiffView';
import { jobAbilities } from '../features/jobs/job-actions';
import { JobActions } from '../features/jobs/JobActions';
import { JobHeader } from '../features/jobs/JobHeader';
import { TranscriptView } from '../features/jobs/TranscriptView';
import { useJob } from '../features/jobs/use-job';
import '../features/jobs/jobs.css';

/** `/jobs/:id`: one job, live: its state, transcript, diff with review, and what can be done with it. */
export function JobPage({ params }: { params: Record<string, string> }) {
  const id = params.id ?? '';
  const { job, error, notFound } = useJob(id);
  const [edits, setEdits] = useState(0);
  useMarkRead(id, job?.attempts.length ?? 0, job !== null && isTerminal(job.status) && job.unread);

  if (!job) {
    return (
      <div className="page" data-testid="job-page">
        <p>
          <Link to="/jobs">← Jobs</Link>
        </p>
        {notFound ? <p className="error-note" role="alert">No job has the id <code>{id}</code>.</p> : <ErrorNote error={error} />}
        {!error ? <Loading lines={8} /> : null}
      </div>
    );
  }
  return (
    <div className="page jp" data-testid="job-page">
      <p className="jp-back">
        <Link to="/jobs">← Jobs</Link>
      </p>
      <JobHeader job={job} />
      <JobActions job={job} />
      <TranscriptView job={job} onEdits={setEdits} />
      {job.worktree ? <DiffView job={job} edits={edits} resumeBlocked={jobAbilities(job).resumeBlocked} /> : null}
      <Attempts attempts={job.attempts} />
    </div>
  );
}

/**
 * Opening an ended, unread job reads it (once per result per visit): a result that arrives while
 * its page is open (a resumed or retried attempt ending) is read too — the person watched it end.
 */
function useMarkRead(id: string, attempts: number, unreadAndEnded: boolean): void {
  const marked = useRef(new Set<string>());
  useEffect(() => {
    const result = `${id}#${attempts}`;
    if (!unreadAndEnded || marked.current.has(result)) return;
    marked.current.add(result);
    client.markRead(id).catch(() => marked.current.delete(result));
  }, [id, attempts, unreadAndEnded]);
}
