import { useMemo } from 'react';
import { Link } from '../../app/router';
import { useLive, useNow } from '../../live/hooks';
import type { Host } from '@flotilla/protocol';
import { Badge, Empty, JobStatusBadge, Section, SessionStateBadge } from '../../ui/components';
import { firstLine, formatSince, formatTime } from '../../ui/format';
import { runningByHost } from './needs-you';
import { sessionPath, useSessionRef } from '../sessions/session-ref';

/** Everything running, per host, with its state and for how long it has been in it. */
export function Running() {
  const jobs = useLive((s) => s.jobs);
  const sessions = useLive((s) => s.sessions);
  const hosts = useLive((s) => s.hosts);
  const groups = useMemo(() => runningByHost(jobs, sessions), [jobs, sessions]);
  const now = useNow();
  const refOf = useSessionRef();
  return (
    <Section title="Running" id="running">
      {groups.length === 0 ? <Empty>No job or session is running.</Empty> : null}
      {groups.map((group) => (
        <div key={group.host} className="host-group" data-host={group.host}>
          <h3 className="host-name">
            {group.host} <span className="muted">· {plural(group.jobs.length, 'job')} · {plural(group.sessions.length, 'session')}</span> <HostLink host={hosts.get(group.host)} />
          </h3>
          <ul className="rows">
            {group.sessions.map((session) => (
              <li key={session.id} className="row" data-session={session.name}>
                <div className="row-title">
                  <Link to={sessionPath(refOf(session))}>{session.name}</Link>{' '}
                  <span className="muted">
                    · session · {session.agent}
                    {session.model ? ` ${session.model}` : ''}
                  </span>
                </div>
                <div className="row-side">
                  <SessionStateBadge state={session.state} />
                  <span className="since">{formatSince(session.since, now)}</span>
                </div>
              </li>
            ))}
            {group.jobs.map((job) => (
              <li key={job.id} className="row" data-job-id={job.id}>
                <div className="row-title">
                  <Link to={`/jobs/${job.id}`}>{firstLine(job.prompt, 100)}</Link> <span className="muted">· {job.agent}</span>
                </div>
                <div className="row-side">
                  <JobStatusBadge status={job.status} />
                  <span className="since">{formatSince(job.startedAt ?? job.createdAt, now)}</span>
                </div>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </Section>
  );
}

/** On a hub, a host whose link is not up says so: what it shows is as of the last word from it. */
function HostLink({ host }: { host: Host | undefined }) {
  if (!host || host.state === 'up') return null;
  const label = host.state === 'down' ? `unreachable since ${formatTime(host.since)} — as last seen` : host.state === 'connecting' ? 'connecting…' : 'refused';
  return <Badge tone={host.state === 'connecting' ? 'active' : 'bad'}>{label}</Badge>;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
