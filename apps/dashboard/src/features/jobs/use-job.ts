import { useEffect, useState } from 'react';
import { isProtocolError, type FlotillaEvent, type Job } from '@flotilla/protocol';
import { client, describeError } from '../../api/client';
import { useLive } from '../../live/hooks';

export interface JobView {
  job: Job | null;
  /** Why the job could not be loaded, in words. */
  error: string | null;
  notFound: boolean;
}

/**
 * One job, live: the store's copy while it holds the job (kept current by the event stream),
 * otherwise fetched (an old job outside the store's window, or one the store let go of).
 */
export function useJob(id: string): JobView {
  const live = useLive((s) => s.jobs.get(id));
  const [fetched, setFetched] = useState<{ id: string; job: Job | null; error: string | null; notFound: boolean } | null>(null);
  const inStore = live !== undefined;
  useEffect(() => {
    if (inStore) return undefined;
    let alive = true;
    client.getJob(id).then(
      (job) => alive && setFetched({ id, job, error: null, notFound: false }),
      (error: unknown) => alive && setFetched({ id, job: null, error: describeError(error), notFound: isProtocolError(error) && (error.code === 'JOB_NOT_FOUND' || error.code === 'NOT_FOUND') }),
    );
    return () => {
      alive = false;
    };
  }, [id, inStore]);
  if (live) return { job: live, error: null, notFound: false };
  if (fetched?.id !== id) return { job: null, error: null, notFound: false };
  return { job: fetched.job, error: fetched.error, notFound: fetched.notFound };
}

/** The job an event is about, if any. */
export function eventJobId(event: FlotillaEvent): string | null {
  if ('job' in event && event.job && typeof event.job === 'object' && 'id' in event.job) return event.job.id;
  if ('jobId' in event && typeof event.jobId === 'string') return event.jobId;
  return null;
}
