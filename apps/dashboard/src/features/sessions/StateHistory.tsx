import { useEffect, useState } from 'react';
import type { SessionLogEntry } from '@flotilla/protocol';
import { client, describeError } from '../../api/client';
import { useLive, useLiveEvents } from '../../live/hooks';
import { ErrorNote, Loading, Section } from '../../ui/components';
import { formatFullTime, formatTime } from '../../ui/format';
import { describeEntry, mergeHistory } from './history';

/** `cb session log NAME` in the page: state changes, alerts, watchdog actions, sends — newest first, live. */
export function StateHistory({ name, sessionId }: { name: string; sessionId: string }) {
  const [entries, setEntries] = useState<readonly SessionLogEntry[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const live = useLive((s) => s.connection === 'live');

  // Fetched on open and again after the event stream came back (a daemon restart): lines written
  // while the page was offline are merged in, each once.
  useEffect(() => {
    let cancelled = false;
    client.sessionLog(name).then(
      (log) => {
        if (cancelled) return;
        setEntries((current) => mergeHistory(current, log));
        setLoaded(true);
        setError(null);
      },
      (err: unknown) => {
        if (cancelled) return;
        setLoaded(true);
        setError(`the history could not be loaded: ${describeError(err)}`);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [name, live]);

  useLiveEvents((event) => {
    if (event.type === 'session.log' && event.entry.sessionId === sessionId) setEntries((current) => mergeHistory(current, [event.entry]));
  });

  return (
    <Section title="State history" id="state-history-title">
      <ErrorNote error={error} />
      {!loaded && !error ? <Loading lines={4} /> : null}
      <ol className="history" data-testid="state-history">
        {entries.map((entry) => (
          <HistoryLine key={`${entry.at}|${entry.kind}|${entry.message}`} entry={entry} />
        ))}
      </ol>
      {loaded && entries.length === 0 && !error ? <p className="empty">Nothing logged yet.</p> : null}
    </Section>
  );
}

function HistoryLine({ entry }: { entry: SessionLogEntry }) {
  const { text, source, detail } = describeEntry(entry);
  return (
    <li className={`history-line kind-${entry.kind}`} data-kind={entry.kind}>
      <time dateTime={entry.at} title={formatFullTime(entry.at)}>
        {formatTime(entry.at, Date.now(), { seconds: true })}
      </time>
      <span className="history-kind">{entry.kind}</span>
      <span className="history-text">
        {text}
        {detail ? <span className="history-detail"> — {detail}</span> : null}
      </span>
      {source ? <span className="history-source" title="where the state came from">{source}</span> : null}
    </li>
  );
}
