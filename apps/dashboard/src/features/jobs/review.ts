import type { DiffLine } from './diff-model';

/** A review comment on one line of a job's diff. */
export interface ReviewComment {
  path: string;
  /** The line's number in the new file, or in the old one for a removed line. */
  line: number;
  side: 'new' | 'old';
  /** The commented line's code, shown beside the comment. */
  code: string;
  text: string;
}

/** Where a comment can sit: added and context lines by their new number, removed lines by their old one. */
export function anchorOf(path: string, line: DiffLine): Pick<ReviewComment, 'path' | 'line' | 'side'> | null {
  if (line.kind === 'add' || line.kind === 'ctx') return line.newLine === null ? null : { path, line: line.newLine, side: 'new' };
  if (line.kind === 'del') return line.oldLine === null ? null : { path, line: line.oldLine, side: 'old' };
  return null;
}

export function commentKey(anchor: Pick<ReviewComment, 'path' | 'line' | 'side'>): string {
  return `${anchor.side}:${anchor.line}:${anchor.path}`;
}

/** The comments in reading order: by file, then line (a removed line before the new line of the same number). */
export function orderComments(comments: Iterable<ReviewComment>): ReviewComment[] {
  return [...comments].sort(
    (a, b) => a.path.localeCompare(b.path) || a.line - b.line || (a.side === b.side ? 0 : a.side === 'old' ? -1 : 1),
  );
}

/**
 * The follow-up prompt that sends a review back to the agent: one `path:line — comment` line per
 * comment (a removed line says so), then the general note. Empty when there is nothing to send.
 *
 * @example
 * composeReview([{ path: 'a.ts', line: 3, side: 'new', code: 'x()', text: 'rename x' }], '');
 * // 'Review of your changes. Please address each comment (file:line — comment):\n\na.ts:3 — rename x'
 */
export function composeReview(comments: Iterable<ReviewComment>, note = ''): string {
  const lines = orderComments(comments)
    .filter((c) => c.text.trim() !== '')
    .map((c) => {
      const where = c.side === 'old' ? `${c.path}:${c.line} (removed line)` : `${c.path}:${c.line}`;
      return `${where} — ${c.text.trim().replace(/\s*\n\s*/g, ' ')}`;
    });
  const general = note.trim();
  if (lines.length === 0) return general;
  const head = 'Review of your changes. Please address each comment (file:line — comment):';
  return [head, '', ...lines, ...(general ? ['', general] : [])].join('\n');
}
