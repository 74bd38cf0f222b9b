import { memo } from 'react';
import type { Job } from '@flotilla/protocol';
import { Link } from '../../app/router';
import { JobStatusBadge } from '../../ui/components';
import { firstLine, formatCost, formatTime } from '../../ui/format';
import { LIVE_STATUSES, type JobFilters, type SortKey } from './job-list';
import { JobDuration } from './JobDuration';

interface Column {
  label: string;
  className: string;
  sort?: SortKey;
}

const COLUMNS: readonly Column[] = [
  { label: 'Status', className: 'jl-status', sort: 'status' },
  { label: 'Prompt', className: 'jl-prompt' },
  { label: 'Agent', className: 'jl-agent' },
  { label: 'Host', className: 'jl-host' },
  { label: 'Created', className: 'jl-created', sort: 'created' },
  { label: 'Updated', className: 'jl-updated', sort: 'updated' },
  { label: 'Duration', className: 'jl-duration', sort: 'duration' },
  { label: 'Cost', className: 'jl-cost', sort: 'cost' },
];

/** The jobs as a table on wide screens and compact two-line rows on a phone (one DOM, CSS decides). */
export function JobsTable({ jobs, filters, onSort }: { jobs: readonly Job[]; filters: JobFilters; onSort: (key: SortKey) => void }) {
  return (
    <table className="table jl-table">
      <thead>
        <tr>
          {COLUMNS.map((column) => (
            <th key={column.label} className={column.className} scope="col" aria-sort={column.sort && filters.sort === column.sort ? (filters.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
              {column.sort ? (
                <button type="button" className="jl-sort" onClick={() => onSort(column.sort!)}>
                  {column.label}
                  <span aria-hidden="true" className="jl-arrow">{filters.sort === column.sort ? (filters.dir === 'asc' ? ' ↑' : ' ↓') : ''}</span>
                </button>
              ) : (
                column.label
              )}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => (
          <JobRow key={job.id} job={job} />
        ))}
      </tbody>
    </table>
  );
}

/** Re-renders only when its job object changes (the store replaces a job on each of its events). */
const JobRow = memo(function JobRow({ job }: { job: Job }) {
  const unread = job.unread && !LIVE_STATUSES.includes(job.status);
  return (
    <tr data-job-id={job.id} data-updated-at={job.updatedAt} className={unread ? 'jl-unread' : undefined}>
      <td className="jl-status">
        <span data-testid="job-status">
          <JobStatusBadge status={job.status} />
        </span>
      </td>
      <td className="jl-prompt">
        <Link to={`/jobs/${job.id}`} title={firstLine(job.prompt, 400)}>
          {firstLine(job.prompt, 140) || '(empty prompt)'}
        </Link>
        {unread ? <span className="jl-unread-mark"> · unread</span> : null}
        {job.tags.length > 0 || job.failure ? (
          <div className="jl-sub">
            {job.failure ? <span className="jl-failure">{job.failure.kind.replace(/_/g, ' ')}</span> : null}
            {job.tags.map((tag) => (
              <span key={tag} className="jl-tag">
                {tag}
              </span>
            ))}
          </div>
        ) : null}
      </td>
      <td className="jl-agent">
        {job.agent}
        {job.model ? <span className="muted"> · {job.model}</span> : null}
      </td>
      <td className="jl-host">{job.host}</td>
      <td className="jl-created">
        <time dateTime={job.createdAt} title={job.createdAt}>
          {formatTime(job.createdAt)}
        </time>
      </td>
      <td className="jl-updated">
        <time dateTime={job.updatedAt} title={job.updatedAt}>
          {formatTime(job.updatedAt)}
        </time>
      </td>
      <td className="jl-duration">
        <JobDuration job={job} />
      </td>
      <td className="jl-cost">{formatCost(job.cost.usd)}</td>
    </tr>
  );
});
