import { useState } from 'react';
import { client, describeError } from '../../api/client';
import { Button, ErrorNote } from '../../ui/components';
import { composeReview } from './review';
import type { Review } from './use-review';

/** The review's general note, a preview of the follow-up prompt, and "Send review". */
export function ReviewBox({ jobId, review, blocked }: { jobId: string; review: Review; blocked: string | null }) {
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const prompt = composeReview(review.comments.values(), review.note);
  const count = review.comments.size;

  async function send(): Promise<void> {
    setSending(true);
    setError(null);
    try {
      await client.resumeJob(jobId, prompt);
      review.clear();
      setSent(true);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setSending(false);
    }
  }

  return (
    <div className="df-review" data-testid="review">
      <label>
        Review note (optional, sent after the line comments)
        <textarea rows={2} value={review.note} onChange={(e) => {
          review.setNote(e.target.value);
          setSent(false);
        }} />
      </label>
      {prompt ? (
        <details className="df-preview">
          <summary>Preview the follow-up prompt</summary>
          <pre className="jp-pre">{prompt}</pre>
        </details>
      ) : null}
      <div className="df-review-actions">
        <Button variant="primary" onClick={() => void send()} disabled={sending || prompt === '' || blocked !== null} aria-busy={sending}>
          Send review
        </Button>
        <span className="muted">
          {count} {count === 1 ? 'comment' : 'comments'}
          {blocked && prompt !== '' ? ` · ${blocked}` : ''}
          {sent ? ' · sent: the agent continues with your review' : ''}
        </span>
      </div>
      <ErrorNote error={error} />
    </div>
  );
}
