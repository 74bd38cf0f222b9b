import { useCallback, useEffect, useState } from 'react';
import { commentKey, type ReviewComment } from './review';

export interface Review {
  comments: ReadonlyMap<string, ReviewComment>;
  /** The comment being written, by its line's key. */
  editing: { key: string; comment: ReviewComment } | null;
  note: string;
  setNote: (note: string) => void;
  edit: (comment: ReviewComment) => void;
  save: (comment: ReviewComment) => void;
  remove: (key: string) => void;
  close: () => void;
  /** Forgets everything (after the review was sent). */
  clear: () => void;
}

interface Draft {
  comments: ReviewComment[];
  note: string;
}

const storageKey = (jobId: string) => `flotilla.review.${jobId}`;

/** A draft survives a reload of the page (this tab only); it holds only what the person typed. */
function loadDraft(jobId: string): Draft {
  try {
    const raw = window.sessionStorage.getItem(storageKey(jobId));
    const draft = raw ? (JSON.parse(raw) as Draft) : null;
    if (draft && Array.isArray(draft.comments) && typeof draft.note === 'string') return draft;
  } catch {
    // no storage (private mode) or a broken draft: start empty
  }
  return { comments: [], note: '' };
}

function saveDraft(jobId: string, draft: Draft): void {
  try {
    if (draft.comments.length === 0 && draft.note === '') window.sessionStorage.removeItem(storageKey(jobId));
    else window.sessionStorage.setItem(storageKey(jobId), JSON.stringify(draft));
  } catch {
    // storage full or refused: the draft lives in the page only
  }
}

/** Review comments on a job's diff, being written. */
export function useReview(jobId: string): Review {
  const [comments, setComments] = useState<ReadonlyMap<string, ReviewComment>>(() => new Map(loadDraft(jobId).comments.map((c) => [commentKey(c), c])));
  const [note, setNote] = useState(() => loadDraft(jobId).note);
  const [editing, setEditing] = useState<Review['editing']>(null);
  useEffect(() => saveDraft(jobId, { comments: [...comments.values()], note }), [jobId, comments, note]);

  const save = useCallback((comment: ReviewComment) => {
    const key = commentKey(comment);
    setComments((map) => {
      const copy = new Map(map);
      if (comment.text.trim() === '') copy.delete(key);
      else copy.set(key, { ...comment, text: comment.text.trim() });
      return copy;
    });
    setEditing(null);
  }, []);
  const remove = useCallback((key: string) => {
    setComments((map) => {
      const copy = new Map(map);
      copy.delete(key);
      return copy;
    });
    setEditing(null);
  }, []);
  return {
    comments,
    editing,
    note,
    setNote,
    edit: (comment) => setEditing({ key: commentKey(comment), comment }),
    save,
    remove,
    close: () => setEditing(null),
    clear: () => {
      setComments(new Map());
      setNote('');
      setEditing(null);
    },
  };
}
