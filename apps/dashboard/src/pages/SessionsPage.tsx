import '../features/sessions/sessions.css';
import { useMemo, useState } from 'react';
import { NewSessionForm } from '../features/sessions/NewSessionForm';
import { SessionRow } from '../features/sessions/SessionRow';
import { groupSessions } from '../features/sessions/session-lists';
import { useLive, useNow } from '../live/hooks';
import { Button, Empty, Loading, Section } from '../ui/components';

/** Every session: Flotilla's live ones, those discovered outside it, and (folded) the ended ones. */
export function SessionsPage(_props: { params: Record<string, string> }) {
  const sessions = useLive((s) => s.sessions);
  const loaded = useLive((s) => s.capabilities !== null);
  const groups = useMemo(() => groupSessions(sessions.values()), [sessions]);
  const [creating, setCreating] = useState(false);
  const now = useNow();

  return (
    <div className="page sessions-page">
      <div className="page-head">
        <h1>Sessions</h1>
        <Button variant="primary" onClick={() => setCreating(!creating)} aria-expanded={creating}>
          New session
        </Button>
      </div>
      {creating ? (
        <Section title="New session" id="new-session-title">
          <NewSessionForm onDone={() => setCreating(false)} />
        </Section>
      ) : null}
      <div data-testid="sessions" className="sessions-groups">
        <Section title={`Live (${groups.live.length})`} id="sessions-live">
          {!loaded ? <Loading lines={3} /> : null}
          {loaded && groups.live.length === 0 ? <Empty>No session is running. Start one with “New session” or cb session new NAME.</Empty> : null}
          <ul className="rows">
            {groups.live.map((session) => (
              <SessionRow key={session.id} session={session} now={now} />
            ))}
          </ul>
        </Section>
        {groups.discovered.length > 0 ? (
          <Section title={`Discovered outside Flotilla (${groups.discovered.length})`} id="sessions-discovered">
            <p className="muted section-note">Agents started by hand in tmux or in the background: shown read-only until you adopt one.</p>
            <ul className="rows">
              {groups.discovered.map((session) => (
                <SessionRow key={session.id} session={session} now={now} />
              ))}
            </ul>
          </Section>
        ) : null}
        {groups.ended.length > 0 ? (
          <details className="section sessions-ended">
            <summary>
              <h2>Ended ({groups.ended.length})</h2>
            </summary>
            <ul className="rows">
              {groups.ended.map((session) => (
                <SessionRow key={session.id} session={session} now={now} />
              ))}
            </ul>
          </details>
        ) : null}
      </div>
    </div>
  );
}
