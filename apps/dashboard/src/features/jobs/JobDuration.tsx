import type { Job } from '@flotilla/protocol';
import { useNow } from '../../live/hooks';
import { formatDuration } from '../../ui/format';
import { jobDuration } from './job-list';

/** How long a job ran; a running job's time ticks by itself (only this cell re-renders). */
export function JobDuration({ job }: { job: Job }) {
  if (job.durationMs === null && job.startedAt && !job.endedAt) return <Ticking job={job} />;
  const ms = jobDuration(job, Date.now());
  return <span className="jl-num">{ms === null ? '—' : formatDuration(ms)}</span>;
}

function Ticking({ job }: { job: Job }) {
  const now = useNow();
  return <span className="jl-num">{formatDuration(jobDuration(job, now) ?? 0)}</span>;
}
