import { Fragment, type ReactNode } from 'react';
import type { DiffLine } from './diff-model';

const SIGN: Record<DiffLine['kind'], string> = { add: '+', del: '-', ctx: ' ', hunk: '', note: '' };
const WORD: Record<DiffLine['kind'], string> = { add: 'added', del: 'removed', ctx: '', hunk: '', note: '' };

/**
 * Diff lines with their old and new numbers; added and removed lines carry a sign and a word for
 * screen readers, not colour alone. With `onLine`, each code line is a button (click to comment).
 */
export function DiffLines({ lines, onLine, after, label }: { lines: readonly DiffLine[]; onLine?: (line: DiffLine) => void; after?: (line: DiffLine) => ReactNode; label?: (line: DiffLine) => string }) {
  return (
    <div className="df-lines" role="list">
      {lines.map((line, i) => (
        <Fragment key={i}>
          <Row line={line} onLine={onLine} label={label} />
          {after?.(line)}
        </Fragment>
      ))}
    </div>
  );
}

function Row({ line, onLine, label }: { line: DiffLine; onLine?: (line: DiffLine) => void; label?: (line: DiffLine) => string }) {
  if (line.kind === 'hunk' || line.kind === 'note') {
    return (
      <div role="listitem" className={`df-line df-${line.kind}`}>
        <span className="df-text">{line.text}</span>
      </div>
    );
  }
  const content = (
    <>
      <span className="df-no" aria-hidden="true">{line.oldLine ?? ''}</span>
      <span className="df-no" aria-hidden="true">{line.newLine ?? ''}</span>
      <span className="df-sign" aria-hidden="true">{SIGN[line.kind]}</span>
      {WORD[line.kind] ? <span className="visually-hidden">{WORD[line.kind]}: </span> : null}
      <span className="df-text">{line.text}</span>
    </>
  );
  if (!onLine) {
    return (
      <div role="listitem" className={`df-line df-${line.kind}`}>
        {content}
      </div>
    );
  }
  return (
    <div role="listitem" className={`df-line df-${line.kind}`}>
      <button type="button" className="df-button" onClick={() => onLine(line)} aria-label={label?.(line)}>
        {content}
      </button>
    </div>
  );
}
