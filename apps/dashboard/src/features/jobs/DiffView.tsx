import { useEffect, useMemo, useRef, useState } from 'react';
import type { Job } from '@flotilla/protocol';
import { client } from '../../api/client';
import { useLiveEvents } from '../../live/hooks';
import { Button, Empty, ErrorNote, Loading, Section } from '../../ui/components';
import { parseUnifiedDiff, type DiffFile } from './diff-model';
import { DiffLines } from './DiffLines';
import { ReviewBox } from './ReviewBox';
import { anchorOf, commentKey, type ReviewComment } from './review';
import { useReview } from './use-review';
import { eventJobId } from './use-job';
import { useRefetched } from './use-refetched';

/** Lines drawn per file before "Show all"; a huge generated file should not freeze the page. */
const MAX_LINES_SHOWN = 1500;
/** Events after which the diff is fetched again (an attempt ended, the job ended). */
const REFETCH_ON = new Set(['attempt.ended', 'job.ended']);

/** The worktree's branch and what changed in it, per file, with inline review comments. */
export function DiffView({ job, edits, resumeBlocked }: { job: Job; edits: number; resumeBlocked: string | null }) {
  const worktree = job.worktree!;
  const diff = useRefetched(`diff:${job.id}`, () => client.diff(job.id), (a, b) => a.diff === b.diff);
  const files = useMemo(() => parseUnifiedDiff(diff.data?.diff ?? ''), [diff.data]);
  const review = useReview(job.id);
  const changed = worktree.changedFiles.join('\n');
  useLiveEvents((event) => {
    if (REFETCH_ON.has(event.type) && eventJobId(event) === job.id) diff.refetch();
  });
  // The agent edited a file (seen in the transcript) or the daemon's list of changed files moved.
  const seen = useRef(`${edits}|${changed}`);
  useEffect(() => {
    if (seen.current === `${edits}|${changed}`) return;
    seen.current = `${edits}|${changed}`;
    diff.refetch();
  }, [edits, changed, diff.refetch]);

  return (
    <Section
      title="Changes"
      id="changes"
      actions={
        <Button onClick={diff.refetch} aria-label="Refresh the diff">
          Refresh
        </Button>
      }
    >
      <p className="jp-branch">
        Branch <code>{worktree.branch}</code> from <code>{worktree.base}</code> <span className="muted">({worktree.baseCommit.slice(0, 10)})</span>
        {worktree.removed ? <strong> · the worktree was removed</strong> : <span className="muted"> · {worktree.path}</span>}
      </p>
      <div data-testid="diff" className="df">
        <ErrorNote error={diff.error} />
        {diff.loading ? <Loading lines={6} /> : null}
        {!diff.loading && !diff.error && files.length === 0 ? <Empty>No changes yet.</Empty> : null}
        {files.length > 0 ? <p className="muted df-hint">Click a line to comment on it; “Send review” sends your comments to the agent as a follow-up.</p> : null}
        {files.map((file) => (
          <FileDiff key={file.path} file={file} review={review} />
        ))}
      </div>
      <ReviewBox jobId={job.id} review={review} blocked={resumeBlocked} />
    </Section>
  );
}

function FileDiff({ file, review }: { file: DiffFile; review: ReturnType<typeof useReview> }) {
  const [all, setAll] = useState(false);
  const lines = all ? file.lines : file.lines.slice(0, MAX_LINES_SHOWN);
  return (
    <details className="df-file" open data-path={file.path}>
      <summary className="df-file-head">
        <code className="df-path">{file.oldPath ? `${file.oldPath} → ${file.path}` : file.path}</code>
        <span className="df-status">{file.status}</span>
        <span className="df-counts">
          <span className="df-added">+{file.added}</span> <span className="df-removed">−{file.removed}</span>
        </span>
      </summary>
      <DiffLines
        lines={lines}
        onLine={(line) => {
          const anchor = anchorOf(file.path, line);
          if (anchor) review.edit({ ...anchor, code: line.text, text: review.comments.get(commentKey(anchor))?.text ?? '' });
        }}
        label={(line) => `${line.kind === 'add' ? 'added' : line.kind === 'del' ? 'removed' : 'line'} ${line.newLine ?? line.oldLine}: ${line.text} — comment`}
        after={(line) => {
          const anchor = anchorOf(file.path, line);
          if (!anchor) return null;
          const key = commentKey(anchor);
          const comment = review.comments.get(key);
          if (review.editing?.key === key) return <CommentEditor review={review} />;
          return comment ? <CommentNote comment={comment} onEdit={() => review.edit(comment)} /> : null;
        }}
      />
      {file.lines.length > lines.length ? (
        <Button className="df-more" onClick={() => setAll(true)}>
          Show all {file.lines.length} lines
        </Button>
      ) : null}
    </details>
  );
}

function CommentNote({ comment, onEdit }: { comment: ReviewComment; onEdit: () => void }) {
  return (
    <div className="df-comment" data-comment={`${comment.path}:${comment.line}`}>
      <span className="df-comment-text">{comment.text}</span>
      <Button onClick={onEdit}>Edit</Button>
    </div>
  );
}

function CommentEditor({ review }: { review: ReturnType<typeof useReview> }) {
  const editing = review.editing!;
  const [text, setText] = useState(editing.comment.text);
  return (
    <form
      className="df-comment df-comment-edit"
      onSubmit={(e) => {
        e.preventDefault();
        review.save({ ...editing.comment, text });
      }}
    >
      <label>
        Comment on {editing.comment.path}:{editing.comment.line}
        {editing.comment.side === 'old' ? ' (removed line)' : ''}
        <textarea
          rows={3}
          value={text}
          autoFocus
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              review.save({ ...editing.comment, text });
            }
            if (e.key === 'Escape') review.close();
          }}
        />
      </label>
      <div className="df-comment-actions">
        <Button type="submit" variant="primary" disabled={text.trim() === ''}>
          Save comment
        </Button>
        <Button onClick={review.close}>Close</Button>
        {review.comments.has(editing.key) ? (
          <Button variant="danger" onClick={() => review.remove(editing.key)}>
            Delete
          </Button>
        ) : null}
      </div>
    </form>
  );
}
