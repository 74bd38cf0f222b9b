import { useCallback, useEffect, useRef, useState } from 'react';
import type { Job, JobListQuery } from '@flotilla/protocol';
import { client, describeError } from '../../api/client';

/** Jobs per "load older" page. */
export const OLDER_PAGE = 200;
/** The first pages repeat what the live store holds; one click reads on until something new turns up. */
const MAX_PAGES_PER_CLICK = 4;

async function fetchUntilNew(query: JobListQuery, cursor: string | null, known: (id: string) => boolean): Promise<{ items: Job[]; nextCursor: string | null }> {
  const items: Job[] = [];
  let next = cursor;
  for (let n = 0; n < MAX_PAGES_PER_CLICK; n++) {
    const page = await client.listJobs({ ...query, limit: OLDER_PAGE, ...(next ? { cursor: next } : {}) });
    items.push(...page.items);
    next = page.nextCursor;
    if (next === null || page.items.some((job) => !known(job.id))) break;
  }
  return { items, nextCursor: next };
}

export interface OlderJobs {
  jobs: readonly Job[];
  loading: boolean;
  error: string | null;
  /** False once the daemon said there is nothing older. */
  more: boolean;
  loadOlder: () => void;
}

/**
 * Pages through the daemon's job list beyond what the live store holds, kept in the page's own
 * state. Paging starts at the newest job (the store's jobs are deduplicated when merged), with the
 * filters the daemon applies itself; a change of those filters starts over. One click fetches
 * pages until one holds a job the page did not have (at most `MAX_PAGES_PER_CLICK`).
 */
export function useOlderJobs(query: JobListQuery, known: (id: string) => boolean): OlderJobs {
  const key = JSON.stringify(query);
  const [state, setState] = useState<{ key: string; jobs: Job[]; cursor: string | null; more: boolean; loading: boolean; error: string | null }>(
    { key, jobs: [], cursor: null, more: true, loading: false, error: null },
  );
  const current = useRef(key);
  current.current = key;
  useEffect(() => {
    setState((s) => (s.key === key ? s : { key, jobs: [], cursor: null, more: true, loading: false, error: null }));
  }, [key]);

  const view = state.key === key ? state : { key, jobs: [], cursor: null, more: true, loading: false, error: null };
  const loadOlder = useCallback(() => {
    if (view.loading || !view.more) return;
    const forKey = key;
    setState({ ...view, loading: true, error: null });
    fetchUntilNew(JSON.parse(forKey) as JobListQuery, view.cursor, (id) => known(id) || view.jobs.some((j) => j.id === id)).then(
      (page) => {
        if (current.current !== forKey) return;
        setState((s) => ({ ...s, jobs: [...s.jobs, ...page.items], cursor: page.nextCursor, more: page.nextCursor !== null, loading: false }));
      },
      (error: unknown) => {
        if (current.current !== forKey) return;
        setState((s) => ({ ...s, loading: false, error: describeError(error) }));
      },
    );
  }, [key, view, known]);

  return { jobs: view.jobs, loading: view.loading, error: view.error, more: view.more, loadOlder };
}
