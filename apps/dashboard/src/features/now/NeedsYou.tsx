import { useMemo, useState } from 'react';
import { client, describeError } from '../../api/client';
import { Link } from '../../app/router';
import { useLive, useNow } from '../../live/hooks';
import { Badge, Button, Empty, ErrorNote, JobStatusBadge, Section, SessionStateBadge } from '../../ui/components';
import { firstLine, formatSince } from '../../ui/format';
import { FAILURE_WORDS } from '../../ui/words';
import { needsYou, type NeedItem } from './needs-you';
import { sessionPath, useSessionRef } from '../sessions/session-ref';

/** The top of the page: everything waiting on the person, with the controls to unblock it. */
export function NeedsYou() {
  const inbox = useLive((s) => s.inbox);
  const sessions = useLive((s) => s.sessions);
  const jobs = useLive((s) => s.jobs);
  const alerts = useLive((s) => s.alerts);
  const items = useMemo(() => needsYou(inbox, sessions, jobs, alerts), [inbox, sessions, jobs, alerts]);
  return (
    <Section title={`Needs you${items.length ? ` (${items.length})` : ''}`} id="needs-you">
      {items.length === 0 ? (
        <Empty>Nothing is waiting for you.</Empty>
      ) : (
        <ul className="rows" data-testid="needs-you">
          {items.map((item) => (
            <NeedRow key={item.key} item={item} />
          ))}
        </ul>
      )}
    </Section>
  );
}

function NeedRow({ item }: { item: NeedItem }) {
  const now = useNow();
  const refOf = useSessionRef();
  if (item.kind === 'job') {
    const failure = item.job.failure;
    return (
      <li className="row" data-need="job" data-job-id={item.job.id}>
        <div>
          <div className="row-title">
            <Link to={`/jobs/${item.job.id}`}>{firstLine(item.job.prompt)}</Link>
          </div>
          <div className="row-meta">
            <span>{item.job.host}</span>
            <span>{item.job.agent}</span>
            {failure ? <span title={failure.message}>{FAILURE_WORDS[failure.kind]}</span> : null}
          </div>
        </div>
        <div className="row-side">
          <JobStatusBadge status={item.job.status} />
          {failure ? <Badge tone="bad">{failure.kind.replace(/_/g, ' ')}</Badge> : null}
        </div>
      </li>
    );
  }
  const { entry, stuck } = item;
  return (
    <li className="row" data-need="session" data-session={entry.name}>
      <div>
        <div className="row-title">
          <Link to={sessionPath(refOf(entry))}>{entry.name}</Link> <span className="muted">· {entry.title}</span>
        </div>
        <div className="row-meta">
          <span>{entry.host}</span>
          <span>{entry.agent}</span>
          {/* The question once: the title often says it already. */}
          {entry.waitingFor && !entry.title.includes(entry.waitingFor) ? <span className="mono">asks: {entry.waitingFor}</span> : null}
        </div>
      </div>
      <div className="row-side">
        {stuck ? <Badge tone="bad">stuck</Badge> : null}
        <SessionStateBadge state={entry.state} />
        <span className="since">for {formatSince(entry.since, now)}</span>
        {entry.state === 'waiting_permission' ? <AnswerButtons name={refOf(entry)} /> : null}
      </div>
    </li>
  );
}

/** Allow / deny a permission question from the list; the state change arrives as an event. */
export function AnswerButtons({ name }: { name: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function answer(value: 'yes' | 'no') {
    setBusy(true);
    setError(null);
    try {
      await client.answer(name, value);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button variant="primary" disabled={busy} onClick={() => void answer('yes')}>
        Allow
      </Button>
      <Button variant="danger" disabled={busy} onClick={() => void answer('no')}>
        Deny
      </Button>
      <ErrorNote error={error} />
    </>
  );
}
