import type { Session, SessionState } from '@flotilla/protocol';

/** The states that need a person, shown first. */
const NEEDS_YOU: ReadonlySet<SessionState> = new Set(['waiting_permission', 'waiting_input']);

export interface SessionGroups {
  /** Flotilla's own running sessions: those that need you first, then by name. */
  live: Session[];
  /** Started outside Flotilla: read-only until adopted. */
  discovered: Session[];
  /** Exited, most recent first. */
  ended: Session[];
}

function byAttentionThenName(a: Session, b: Session): number {
  const attention = Number(NEEDS_YOU.has(b.state)) - Number(NEEDS_YOU.has(a.state));
  return attention || a.name.localeCompare(b.name);
}

/** Splits the live store's sessions into the page's three groups. */
export function groupSessions(sessions: Iterable<Session>): SessionGroups {
  const groups: SessionGroups = { live: [], discovered: [], ended: [] };
  for (const session of sessions) {
    if (session.state === 'exited') groups.ended.push(session);
    else if (session.external) groups.discovered.push(session);
    else groups.live.push(session);
  }
  groups.live.sort(byAttentionThenName);
  groups.discovered.sort(byAttentionThenName);
  groups.ended.sort((a, b) => (b.endedAt ?? b.updatedAt).localeCompare(a.endedAt ?? a.updatedAt));
  return groups;
}

/**
 * The session called `name`. Names are unique among Flotilla's sessions (an exited one keeps its
 * name), but a discovered one may share it: prefer a running session, then the latest update.
 */
export function findByName(sessions: Iterable<Session>, name: string): Session | null {
  let best: Session | null = null;
  for (const session of sessions) {
    if (session.name !== name) continue;
    if (!best || rank(session) > rank(best) || (rank(session) === rank(best) && session.updatedAt > best.updatedAt)) best = session;
  }
  return best;
}

function rank(session: Session): number {
  return (session.state === 'exited' ? 0 : 2) + (session.external ? 0 : 1);
}

/** Where the session works: its worktree's path and branch when it has one, else its directory. */
export function placeOf(session: Session): string {
  if (session.worktree) return `${session.worktree.path} (${session.worktree.branch})`;
  return session.cwd;
}

/** Why a session has no live terminal in the page, or null when it has one. */
export function noTerminalReason(session: Session): string | null {
  if (session.external) return 'this session was started outside Flotilla: adopt it to watch its terminal here.';
  if (session.tmuxSocket) return `it runs in a pane of your own tmux server, which Flotilla does not pipe: look with cb peek ${session.name} or cb attach ${session.name}.`;
  return null;
}
