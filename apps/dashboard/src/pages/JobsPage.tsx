import { useCallback, useMemo } from 'react';
import { useLocation } from '../app/router';
import { useLive } from '../live/hooks';
import { Button, Empty, ErrorNote, Loading, Section } from '../ui/components';
import { filterAndSort, filterChoices, filtersFromQuery, filtersToQuery, mergeJobs, serverQuery, toggleSort, type JobFilters, type SortKey } from '../features/jobs/job-list';
import { JobsFilters } from '../features/jobs/JobsFilters';
import { JobsTable } from '../features/jobs/JobsTable';
import { replaceQuery } from '../features/jobs/url';
import { useOlderJobs } from '../features/jobs/use-older-jobs';
import '../features/jobs/jobs.css';

/** `/jobs`: every job, filtered and sorted by what the address says (`?status=failed&agent=claude&q=…`). */
export function JobsPage(_props: { params: Record<string, string> }) {
  const { path, query } = useLocation();
  const search = query.toString();
  const filters = useMemo(() => filtersFromQuery(new URLSearchParams(search)), [search]);
  const live = useLive((s) => s.jobs);
  const capabilities = useLive((s) => s.capabilities);
  const known = useCallback((id: string) => live.has(id), [live]);
  const older = useOlderJobs(useMemo(() => serverQuery(filters), [filters]), known);
  const all = useMemo(() => mergeJobs(live, older.jobs), [live, older.jobs]);
  const choices = useMemo(() => filterChoices(all, capabilities?.agents ?? []), [all, capabilities]);
  const shown = useMemo(() => filterAndSort(all, filters, Date.now()), [all, filters]);
  const setFilters = useCallback((next: JobFilters) => replaceQuery(path, filtersToQuery(next)), [path]);
  const onSort = useCallback((key: SortKey) => setFilters(toggleSort(filters, key)), [filters, setFilters]);

  return (
    <div className="page" data-testid="jobs-page">
      <h1>Jobs</h1>
      <JobsFilters filters={filters} choices={choices} onChange={setFilters} />
      <Section
        title={
          <span>
            {shown.length} {shown.length === 1 ? 'job' : 'jobs'}
            {shown.length !== all.length ? <span className="muted"> of {all.length} loaded</span> : null}
          </span>
        }
        id="jobs-list"
      >
        {capabilities === null ? (
          <Loading lines={8} />
        ) : (
          <div data-testid="jobs-table">
            {shown.length > 0 ? <JobsTable jobs={shown} filters={filters} onSort={onSort} /> : null}
            {shown.length === 0 ? <Empty>{all.length === 0 ? 'No jobs yet. Start one from “New job”.' : 'No loaded job matches these filters; older jobs may.'}</Empty> : null}
          </div>
        )}
        <div className="jl-older">
          <ErrorNote error={older.error} />
          {older.more ? (
            <Button onClick={older.loadOlder} disabled={older.loading || capabilities === null} aria-busy={older.loading}>
              {older.loading ? 'Loading older jobs…' : 'Load older jobs'}
            </Button>
          ) : (
            <span className="muted">All jobs are loaded.</span>
          )}
        </div>
      </Section>
    </div>
  );
}
