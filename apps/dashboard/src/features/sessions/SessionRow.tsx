import type { Session } from '@flotilla/protocol';
import { Link } from '../../app/router';
import { SessionStateBadge } from '../../ui/components';
import { formatFullTime, formatSince, formatTime } from '../../ui/format';
import { AdoptButton } from './AdoptButton';
import { placeOf } from './session-lists';
import { sessionPath, useSessionRef } from './session-ref';

/** One session in the list: state and for how long, what it runs where, what it waits for. */
export function SessionRow({ session, now }: { session: Session; now: number }) {
  const ended = session.state === 'exited';
  const ref = useSessionRef()(session);
  return (
    <li className="row session-row" data-session={session.name} data-state={session.state}>
      <div className="row-title">
        <Link to={sessionPath(ref)}>{session.name}</Link>{' '}
        <span className="muted">
          · {session.kind === 'watcher' ? `watcher: ${session.command?.join(' ') ?? ''}` : session.agent}
          {session.model ? ` ${session.model}` : ''}
        </span>
        {session.external ? <span className="session-tag">discovered · read-only</span> : null}
      </div>
      <div className="row-side">
        <SessionStateBadge state={session.state} />
        <span className="since" title={`since ${formatFullTime(session.since)} (${session.source})`}>
          {ended && session.endedAt ? formatTime(session.endedAt, now) : formatSince(session.since, now)}
        </span>
        {session.external ? <AdoptButton name={ref} /> : null}
      </div>
      {session.waitingFor && !ended ? (
        <div className="session-waiting" data-testid="waiting-for">
          {session.state === 'rate_limited' ? 'paused until' : 'asks'}: <span className="mono">{session.waitingFor}</span>
        </div>
      ) : null}
      <div className="row-meta">
        <span title="host">{session.host}</span>
        <span className="mono session-place" title={placeOf(session)}>
          {placeOf(session)}
        </span>
        {session.restarts > 0 ? <span>restarted {session.restarts}×</span> : null}
      </div>
    </li>
  );
}
