import { useMemo, useState } from 'react';
import type { InboxItem, SessionInboxItem } from '@flotilla/protocol';
import { client, describeError } from '../../api/client';
import { Link } from '../../app/router';
import { useLive, useNow } from '../../live/hooks';
import { Button, Empty, ErrorNote, JobStatusBadge, Section, SessionStateBadge } from '../../ui/components';
import { formatSince, formatTime } from '../../ui/format';
import { AnswerButtons } from '../now/NeedsYou';
import { inboxSections, markAllRead } from './inbox';
import { sessionPath, useSessionRef } from '../sessions/session-ref';


/** Sessions asking permission or waiting for input, with the controls to unblock them. */
export function WaitingSessions({ waiting }: { waiting: SessionInboxItem[] }) {
  return (
    <Section title={`Needs you${waiting.length ? ` (${waiting.length})` : ''}`} id="inbox-waiting">
      {waiting.length === 0 ? <Empty>No session is waiting for you.</Empty> : null}
      <ul className="rows" data-testid="inbox-waiting">
        {waiting.map((entry) => (
          <WaitingRow key={entry.sessionId} entry={entry} />
        ))}
      </ul>
    </Section>
  );
}

function WaitingRow({ entry }: { entry: SessionInboxItem }) {
  const now = useNow();
  const ref = useSessionRef()(entry);
  return (
    <li className="row" data-session={entry.name}>
      <div>
        <div className="row-title">
          <Link to={sessionPath(ref)}>{entry.name}</Link> <span className="muted">· {entry.title}</span>
        </div>
        <div className="row-meta">
          <span>{entry.host}</span>
          <span>{entry.agent}</span>
          {entry.waitingFor && !entry.title.includes(entry.waitingFor) ? <span className="mono inbox-asks">asks: {entry.waitingFor}</span> : null}
        </div>
      </div>
      <div className="row-side">
        <SessionStateBadge state={entry.state} />
        <span className="since">for {formatSince(entry.since, now)}</span>
        {entry.state === 'waiting_permission' ? (
          <AnswerButtons name={ref} />
        ) : (
          <Link to={sessionPath(ref)} className="button button-plain inbox-reply">
            Reply in the session
          </Link>
        )}
      </div>
    </li>
  );
}

/** Finished jobs nobody has read: open one, mark one read, or mark them all read. */
export function UnreadResults({ results }: { results: InboxItem[] }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function markAll() {
    setBusy(true);
    setError(null);
    const failed = await markAllRead(
      results.map((r) => r.jobId),
      (id) => client.markRead(id),
    );
    setBusy(false);
    if (failed.length) setError(`${failed.length} could not be marked read: ${describeError(failed[0]!.error)}`);
  }
  const actions = results.length ? (
    <Button disabled={busy} onClick={() => void markAll()}>
      {busy ? 'Marking…' : 'Mark all read'}
    </Button>
  ) : null;
  return (
    <Section title={`Unread results${results.length ? ` (${results.length})` : ''}`} id="inbox-results" actions={actions}>
      <ErrorNote error={error} />
      {results.length === 0 ? <Empty>Nothing unread: every result has been seen.</Empty> : null}
      <ul className="rows" data-testid="inbox-results">
        {results.map((item) => (
          <ResultRow key={item.jobId} item={item} />
        ))}
      </ul>
    </Section>
  );
}

function ResultRow({ item }: { item: InboxItem }) {
  const now = useNow(60_000);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function markRead() {
    setBusy(true);
    setError(null);
    try {
      await client.markRead(item.jobId);
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  }
  return (
    <li className="row" data-job-id={item.jobId}>
      <div className="inbox-result">
        <div className="row-title">
          <Link to={`/jobs/${item.jobId}`}>{item.title || item.jobId}</Link>
        </div>
        {item.summary ? <div className="inbox-summary">{item.summary}</div> : null}
        <div className="row-meta">
          <span>{item.host}</span>
          <span>{item.agent}</span>
          {item.endedAt ? <span>ended {formatTime(item.endedAt, now)}</span> : null}
        </div>
        <ErrorNote error={error} />
      </div>
      <div className="row-side">
        <JobStatusBadge status={item.status} />
        <Button disabled={busy} onClick={() => void markRead()} aria-label={`Mark read: ${item.title}`}>
          Mark read
        </Button>
      </div>
    </li>
  );
}

/** The inbox's two lists from the live `/api/inbox`. */
export function InboxLists() {
  const inbox = useLive((s) => s.inbox);
  const { waiting, results } = useMemo(() => inboxSections(inbox), [inbox]);
  return (
    <>
      <WaitingSessions waiting={waiting} />
      <UnreadResults results={results} />
    </>
  );
}
