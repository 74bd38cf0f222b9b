import '../features/sessions/sessions.css';
import type { Session } from '@flotilla/protocol';
import { Link } from '../app/router';
import { AdoptButton } from '../features/sessions/AdoptButton';
import { PermissionPanel } from '../features/sessions/PermissionPanel';
import { SendPanel } from '../features/sessions/SendPanel';
import { SessionHeader } from '../features/sessions/SessionHeader';
import { noTerminalReason } from '../features/sessions/session-lists';
import { StateHistory } from '../features/sessions/StateHistory';
import { StopControl } from '../features/sessions/StopControl';
import { useSession } from '../features/sessions/use-session';
import { useSessionRef } from '../features/sessions/session-ref';
import { TerminalView } from '../features/terminal/TerminalView';
import { ErrorNote, Loading, Section } from '../ui/components';

/** One session: its live state, live terminal, controls and state history. Loaded lazily (xterm.js). */
export function SessionPage({ params }: { params: Record<string, string> }) {
  const name = params.name ?? '';
  const { session, error } = useSession(name);

  if (!session) {
    return (
      <div className="page session-page">
        <p className="crumbs">
          <Link to="/sessions">Sessions</Link> / {name}
        </p>
        <h1>{name}</h1>
        {error ? <ErrorNote error={error} /> : <Loading lines={8} />}
      </div>
    );
  }
  return <SessionDetail session={session} />;
}

function SessionDetail({ session }: { session: Session }) {
  const ended = session.state === 'exited';
  const readOnly = session.external;
  const noTerminal = noTerminalReason(session);
  // What the calls name it by: on a hub `name@host`, so they reach the host that runs it.
  const ref = useSessionRef()(session);
  return (
    <div className="page session-page">
      <p className="crumbs">
        <Link to="/sessions">Sessions</Link> / {session.name}
      </p>
      <SessionHeader session={session} />
      {session.state === 'waiting_permission' && !readOnly ? <PermissionPanel key={session.id} session={session} sessionRef={ref} /> : null}
      <Section title="Terminal" id="terminal-title" actions={readOnly ? <AdoptButton name={ref} /> : <StopControl name={ref} disabled={ended} />}>
        {noTerminal ? (
          <p className="terminal-missing" data-testid="terminal" data-status="unavailable">
            No live terminal: {noTerminal}
          </p>
        ) : (
          <TerminalView key={session.id} name={ref} ended={ended} />
        )}
      </Section>
      <div className="session-columns">
        {readOnly ? (
          <Section title="Send a message" id="send-title">
            <p className="empty">Read-only: adopt this session to send it messages and answer its questions.</p>
          </Section>
        ) : (
          <SendPanel key={session.id} name={ref} disabled={ended} />
        )}
        <StateHistory key={session.id} name={ref} sessionId={session.id} />
      </div>
    </div>
  );
}
