import { useEffect, useRef, useState } from 'react';
import { MAX_KNOWLEDGE_READ_LINES } from '@flotilla/protocol';
import { client } from '../../api/client';
import { Link } from '../../app/router';
import { Button, ErrorNote, Loading, Section } from '../../ui/components';
import { initialRange, MORE_LINES, viewHref, type KnowledgeView } from './knowledge-view';
import { useAnswer } from './use-answer';

/**
 * A file of the repository opened at a cited line: numbered lines around it (through the daemon's
 * read, which refuses paths outside the repository), the line marked and scrolled into view, with
 * more lines above and below on request.
 */
export function FileView({ view }: { view: KnowledgeView }) {
  const opened = `${view.repo}\n${view.file}\n${view.line}`;
  const [range, setRange] = useState(() => ({ opened, ...initialRange(view.line) }));
  const current = range.opened === opened ? range : { opened, ...initialRange(view.line) };
  useEffect(() => setRange((r) => (r.opened === opened ? r : { opened, ...initialRange(view.line) })), [opened, view.line]);
  const file = useAnswer(`${opened}\n${current.start}-${current.end}`, () => client.knowledgeRead({ repo: view.repo, path: view.file, start: current.start, end: current.end }), {
    keepPrevious: true,
  });
  const data = file.data?.path === view.file ? file.data : null;
  const marked = useRef<HTMLLIElement | null>(null);
  const scrolledFor = useRef('');
  useEffect(() => {
    if (!data || scrolledFor.current === opened || !marked.current) return;
    scrolledFor.current = opened;
    marked.current.scrollIntoView({ block: 'center' });
  }, [data, opened]);
  const grow = (start: number, end: number) => setRange({ opened, start: Math.max(1, start), end: Math.min(end, start + MAX_KNOWLEDGE_READ_LINES - 1) });
  const title = (
    <span className="kn-file-title">
      <code>{view.file}</code>
      {view.line > 0 ? <span className="muted"> line {view.line}</span> : null}
    </span>
  );
  const close = (
    <Link to={viewHref({ ...view, file: '', line: 0 })} className="button button-plain" aria-label="close the file">
      Close
    </Link>
  );
  return (
    <Section title={title} actions={close} id="kn-file">
      <div data-testid="knowledge-file" data-file={view.file} data-line={view.line || undefined}>
        <ErrorNote error={file.error} />
        {!data && !file.error ? <Loading lines={12} /> : null}
        {data ? (
          <>
            {data.start > 1 ? (
              <Button className="kn-grow" onClick={() => grow(data.start - MORE_LINES, data.end)} disabled={file.loading}>
                Show {Math.min(MORE_LINES, data.start - 1)} earlier lines
              </Button>
            ) : null}
            <ol className="kn-lines" aria-label={`${view.file}, lines ${data.start} to ${data.end} of ${data.totalLines}`}>
              {data.lines.map(({ line, text }) => (
                <li key={line} ref={line === view.line ? marked : undefined} className={line === view.line ? 'kn-line kn-marked' : 'kn-line'} data-line={line} aria-current={line === view.line ? 'location' : undefined}>
                  <span className="kn-num" aria-hidden="true">
                    {line === view.line ? '▶ ' : ''}
                    {line}
                  </span>
                  <code className="kn-src">{text || ' '}</code>
                </li>
              ))}
            </ol>
            {data.lines.length === 0 ? <p className="muted">The file is empty.</p> : null}
            {data.end < data.totalLines ? (
              <Button className="kn-grow" onClick={() => grow(data.start, data.end + MORE_LINES)} disabled={file.loading}>
                Show {Math.min(MORE_LINES, data.totalLines - data.end)} later lines
              </Button>
            ) : (
              <p className="muted kn-eof">End of file ({data.totalLines} lines).</p>
            )}
          </>
        ) : null}
      </div>
    </Section>
  );
}
