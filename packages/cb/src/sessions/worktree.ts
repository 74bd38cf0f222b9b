/**
 * A session's worktree after the session ended: removed with its branch when that loses nothing
 * (no uncommitted changes, no commits beyond its base), else kept for review with the reason in
 * `cb session log`. `cb session stop` tries at once; `cb gc` tries again past retention.
 */
import type { Session } from '@flotilla/protocol';
import type { SessionStore } from '../store/types.js';
import { removeWorktree } from '../worktree/index.js';
import { logEntry } from './state.js';

export interface ReleasedWorktree {
  path: string;
  removed: boolean;
  /** Why it was kept; null when removed. */
  reason: string | null;
}

/** Null when the session has no worktree left to release (none, already removed, or not ended). */
export async function releaseSessionWorktree(store: SessionStore, session: Session, by: string): Promise<ReleasedWorktree | null> {
  const wt = session.worktree;
  if (!wt || wt.removed || session.state !== 'exited') return null;
  const result = await removeWorktree({ path: wt.path, branch: wt.branch, baseCommit: wt.baseCommit, repoRoot: wt.repoRoot });
  const message = result.removed
    ? `worktree ${wt.path} removed by ${by}${result.branchDeleted ? ` with its branch ${wt.branch}` : ''}`
    : `worktree ${wt.path} kept (branch ${wt.branch}): ${result.reason ?? 'kept'}`;
  await store.updateSession(session.id, (current) => {
    if (!current.worktree) return null;
    const next = result.removed ? { ...current, worktree: { ...current.worktree, removed: true } } : current;
    return { session: next, events: [], log: [logEntry(current, 'lifecycle', message)] };
  });
  return { path: wt.path, removed: result.removed, reason: result.removed ? null : (result.reason ?? 'kept') };
}
