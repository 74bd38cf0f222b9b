import type { ReactNode } from 'react';
import type { Session } from '@flotilla/protocol';
import { useNow } from '../../live/hooks';
import { SessionStateBadge } from '../../ui/components';
import { formatFullTime, formatSince } from '../../ui/format';
import { placeOf } from './session-lists';

/** The session's name, state (live), since when, from which source, restarts and what it waits for. */
export function SessionHeader({ session }: { session: Session }) {
  const now = useNow();
  return (
    <header className="session-head">
      <h1>
        {session.name}{' '}
        <span data-testid="session-state" data-state={session.state}>
          <SessionStateBadge state={session.state} />
        </span>
      </h1>
      <dl className="session-facts">
        <Fact label="in this state for">
          <span title={formatFullTime(session.since)}>{formatSince(session.since, now)}</span>
        </Fact>
        <Fact label="source">{session.source}</Fact>
        <Fact label="restarts">{session.restarts}</Fact>
        <Fact label={session.kind === 'watcher' ? 'command' : 'agent'}>
          {session.kind === 'watcher' ? <span className="mono">{session.command?.join(' ')}</span> : `${session.agent}${session.model ? ` · ${session.model}` : ''}`}
        </Fact>
        <Fact label="host">{session.host}</Fact>
        <Fact label={session.worktree ? 'worktree' : 'directory'}>
          <span className="mono">{placeOf(session)}</span>
        </Fact>
        {session.external ? <Fact label="origin">started outside Flotilla (read-only until adopted)</Fact> : null}
      </dl>
      {/* A permission question has its own panel below, with its answer buttons. */}
      {session.waitingFor && session.state !== 'exited' && (session.state !== 'waiting_permission' || session.external) ? (
        <p className="session-waiting" data-testid="waiting-for">
          {session.state === 'rate_limited' ? 'Paused until' : 'Waiting for'}: <span className="mono">{session.waitingFor}</span>
        </p>
      ) : null}
    </header>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="session-fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
