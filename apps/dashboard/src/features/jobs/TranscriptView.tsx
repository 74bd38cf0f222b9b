import { useEffect, useMemo, useState } from 'react';
import type { Job, Transcript } from '@flotilla/protocol';
import { client } from '../../api/client';
import { useLiveEvents } from '../../live/hooks';
import { Badge, Empty, ErrorNote, Loading, Section } from '../../ui/components';
import { DiffLines } from './DiffLines';
import { transcriptItems, type TranscriptItem } from './transcript-model';
import { eventJobId } from './use-job';
import { useRefetched } from './use-refetched';

/** Events after which the transcript is fetched again (the daemon emits no event per transcript line). */
const REFETCH_ON = new Set(['job.updated', 'attempt.started', 'attempt.ended', 'job.ended']);
/** While the job runs, the transcript is also polled this often (lines arrive without events). */
const POLL_MS = 2000;

/** Transcripts only grow: the same attempt, length and last entry is the same transcript. */
function sameTranscript(a: Transcript, b: Transcript): boolean {
  return a.attempt === b.attempt && a.entries.length === b.entries.length && JSON.stringify(a.entries.at(-1)) === JSON.stringify(b.entries.at(-1));
}

/** The agent's readable transcript of one attempt (the latest by default), updating live while it runs. */
export function TranscriptView({ job, onEdits }: { job: Job; onEdits?: (count: number) => void }) {
  const [picked, setPicked] = useState<number | null>(null);
  const latest = job.attempts[job.attempts.length - 1]?.n ?? null;
  const attempt = picked ?? latest;
  const key = `${job.id}:${picked ?? 'latest'}`;
  const transcript = useRefetched(key, () => client.transcript(job.id, picked ?? undefined), sameTranscript);
  const running = job.status === 'running' || job.status === 'starting';
  const following = running && (picked === null || picked === latest);

  useLiveEvents((event) => {
    if (REFETCH_ON.has(event.type) && eventJobId(event) === job.id) transcript.refetch();
  });
  useEffect(() => {
    if (!following) return undefined;
    const timer = setInterval(transcript.refetch, POLL_MS);
    return () => clearInterval(timer);
  }, [following, transcript.refetch]);

  const items = useMemo(() => transcriptItems(transcript.data?.entries ?? []), [transcript.data]);
  const edits = items.filter((i) => i.kind === 'edit').length;
  useEffect(() => onEdits?.(edits), [edits, onEdits]);
  const hasFinal = items.some((i) => i.kind === 'final');
  const showResult = !hasFinal && !running && job.result && (picked === null || picked === latest);

  return (
    <Section
      title="Transcript"
      id="transcript-title"
      actions={
        <>
          {following ? <Badge tone="active">following live</Badge> : null}
          {job.attempts.length > 1 ? (
            <label className="jp-inline-label">
              Attempt
              <select value={picked ?? ''} onChange={(e) => setPicked(e.target.value ? Number(e.target.value) : null)}>
                <option value="">latest (#{latest})</option>
                {job.attempts.map((a) => (
                  <option key={a.n} value={a.n}>
                    #{a.n} · {a.reason}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </>
      }
    >
      <div data-testid="transcript" className="tr-list" aria-live="off" data-attempt={attempt ?? undefined}>
        <ErrorNote error={transcript.error} />
        {transcript.loading ? <Loading lines={5} /> : null}
        {!transcript.loading && items.length === 0 && !showResult ? (
          <Empty>{job.status === 'queued' ? 'The job is queued; its transcript starts when it runs.' : running ? 'Waiting for the agent’s first output…' : 'No transcript was recorded for this attempt.'}</Empty>
        ) : null}
        {items.map((item) => (
          <Item key={item.key} item={item} running={following} />
        ))}
        {showResult ? <Item item={{ kind: 'final', key: 'result', text: job.result ?? '', isError: job.status !== 'succeeded' }} running={false} /> : null}
      </div>
    </Section>
  );
}

function Item({ item, running }: { item: TranscriptItem; running: boolean }) {
  switch (item.kind) {
    case 'text':
      return <div className="tr-item tr-text">{item.text}</div>;
    case 'notice':
      return <div className="tr-item tr-notice">{item.text}</div>;
    case 'final':
      return (
        <div className={`tr-item tr-final ${item.isError ? 'tr-final-error' : ''}`}>
          <div className="tr-final-head">{item.isError ? '✘ Ended with an error' : '✔ Final answer'}</div>
          <div className="tr-final-text">{item.text || (item.isError ? 'failed' : 'done')}</div>
        </div>
      );
    case 'command':
      return (
        <div className="tr-item tr-command">
          <div className="tr-head">
            <span className="tr-marker" aria-hidden="true">$</span>
            <code className="tr-cmd">{item.command}</code>
            {item.exitCode === null ? null : <Badge tone={item.exitCode === 0 ? 'good' : 'bad'}>exit {item.exitCode}</Badge>}
          </div>
          {item.output ? <pre className="tr-output">{item.output}</pre> : null}
        </div>
      );
    case 'edit':
      return (
        <details className="tr-item tr-edit" open={item.lines.length <= 40}>
          <summary className="tr-head">
            <span className="tr-marker" aria-hidden="true">✎</span>
            <span>Edited</span> <code>{item.path}</code>{' '}
            <span className="muted">
              +{item.added} −{item.removed}
            </span>
          </summary>
          {item.lines.length > 0 ? <DiffLines lines={item.lines} /> : <p className="muted">No diff recorded for this edit.</p>}
        </details>
      );
    case 'tool':
      return <ToolItem item={item} running={running} />;
  }
}

function ToolItem({ item, running }: { item: Extract<TranscriptItem, { kind: 'tool' }>; running: boolean }) {
  const state = item.output === null ? (running ? 'running…' : 'no result') : item.isError ? 'error' : null;
  return (
    <details className={`tr-item tr-tool ${item.isError ? 'tr-tool-error' : ''}`}>
      <summary className="tr-head">
        <span className="tr-marker" aria-hidden="true">▸</span>
        <strong>{item.tool}</strong> <span className="tr-summary">{item.summary}</span>
        {state ? <span className={item.isError ? 'tr-state-bad' : 'muted'}> · {state}</span> : null}
      </summary>
      {item.input ? (
        <>
          <div className="tr-label">Input</div>
          <pre className="tr-output">{item.input}</pre>
        </>
      ) : null}
      {item.output !== null ? (
        <>
          <div className="tr-label">{item.isError ? 'Error' : 'Result'}</div>
          <pre className="tr-output">{item.output || '(no output)'}</pre>
        </>
      ) : null}
    </details>
  );
}
