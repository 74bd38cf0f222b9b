import type { ReactNode } from 'react';
import { isTerminal, type Job } from '@flotilla/protocol';
import { Link } from '../../app/router';
import { JobStatusBadge } from '../../ui/components';
import { firstLine, formatCost, formatFullTime, formatTime, formatTokens } from '../../ui/format';
import { FAILURE_WORDS } from '../../ui/words';
import { JobDuration } from './JobDuration';

/** The job at a glance: prompt, status, where and how it runs, when, what it cost, why it failed. */
export function JobHeader({ job }: { job: Job }) {
  const title = firstLine(job.prompt, 200) || '(empty prompt)';
  const more = job.prompt.trim() !== title;
  return (
    <header className="jp-head section">
      <div className="jp-title-row">
        <h1 className="jp-title">{title}</h1>
        <span data-testid="job-status" className="jp-status">
          <JobStatusBadge status={job.status} />
        </span>
      </div>
      {more ? (
        <details className="jp-prompt">
          <summary>Full prompt</summary>
          <pre className="jp-pre">{job.prompt}</pre>
        </details>
      ) : null}
      <dl className="jp-meta">
        <Meta label="Agent">
          {job.agent}
          {job.model ? ` · ${job.model}` : ''}
        </Meta>
        <Meta label="Host">{job.host}</Meta>
        <Meta label="Directory">
          <code className="jp-path">{job.cwd}</code>
        </Meta>
        <Meta label="Permissions">{job.permissions}</Meta>
        {job.tags.length > 0 ? <Meta label="Tags">{job.tags.join(', ')}</Meta> : null}
        <Meta label="Created">
          <Time iso={job.createdAt} />
        </Meta>
        <Meta label="Started">{job.startedAt ? <Time iso={job.startedAt} /> : '—'}</Meta>
        <Meta label="Ended">{job.endedAt ? <Time iso={job.endedAt} /> : '—'}</Meta>
        <Meta label="Duration">
          <JobDuration job={job} />
        </Meta>
        <Meta label="Cost">
          {formatCost(job.cost.usd)}
          {job.cost.source === 'price_table' ? <span className="muted"> (from the price table)</span> : null}
          {job.cost.source === 'unknown' && job.cost.usd === 0 ? <span className="muted"> (not reported)</span> : null}
        </Meta>
        <Meta label="Tokens">
          <span title="input · output · cache read · cache write">
            {formatTokens(job.usage.inputTokens)} in · {formatTokens(job.usage.outputTokens)} out · {formatTokens(job.usage.cacheReadTokens)} cache read · {formatTokens(job.usage.cacheWriteTokens)} cache write
          </span>
        </Meta>
        <Meta label="Attempts">
          {job.attemptsUsed} of {job.maxAttempts}
          {job.infraRetries > 0 ? ` · ${job.infraRetries} infrastructure ${job.infraRetries === 1 ? 'retry' : 'retries'}` : ''}
        </Meta>
        {job.inJob ? (
          <Meta label="Works in">
            <Link to={`/jobs/${job.inJob}`}>job {job.inJob}</Link>
          </Meta>
        ) : null}
        <Meta label="Id">
          <code>{job.id}</code>
        </Meta>
      </dl>
      {job.status === 'retry_wait' && job.retryAt ? (
        <p className="jp-note">
          Waiting to retry; the next attempt starts at <Time iso={job.retryAt} />.
        </p>
      ) : null}
      {job.failure ? <FailureNote failure={job.failure} ended={isTerminal(job.status)} /> : null}
    </header>
  );
}

export function FailureNote({ failure, ended }: { failure: NonNullable<Job['failure']>; ended: boolean }) {
  return (
    <div className="jp-failure" role="note" data-testid="failure-kind">
      <p>
        <strong>{ended ? 'Failed: ' : 'Last attempt failed: '}</strong>
        {FAILURE_WORDS[failure.kind]} <code className="jp-kind">{failure.kind}</code>
        {failure.timeout ? ` (${failure.timeout === 'idle' ? 'idle' : 'wall-clock'} timeout)` : ''}
        {failure.resetsAt ? (
          <>
            {' '}
            The limit resets at <Time iso={failure.resetsAt} />.
          </>
        ) : null}
      </p>
      {failure.message ? <p className="jp-failure-message">{failure.message}</p> : null}
      {failure.rawTail ? (
        <details>
          <summary>Last output</summary>
          <pre className="jp-pre">{failure.rawTail}</pre>
        </details>
      ) : null}
    </div>
  );
}

function Meta({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="jp-meta-item">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function Time({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatFullTime(iso)}>
      {formatTime(iso)}
    </time>
  );
}
