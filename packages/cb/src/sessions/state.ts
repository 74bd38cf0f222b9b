import type { Session, SessionLogEntry } from '@flotilla/protocol';
import type { EventDraft, SessionMutation, SessionStore } from '../store/types.js';
import type { StateChange } from './contract.js';

/** One line of `cb session log`. */
export function logEntry(session: Pick<Session, 'id'>, kind: SessionLogEntry['kind'], message: string, at = new Date().toISOString()): SessionLogEntry {
  return { at, sessionId: session.id, kind, message };
}

/** `working → waiting_permission (hook): Bash: rm -rf build` */
export function describeChange(previous: Session['state'], change: StateChange, detail?: string): string {
  const what = change.waitingFor ? `: ${change.waitingFor}` : '';
  return `${previous} → ${change.state} (${change.source})${what}${detail ? ` — ${detail}` : ''}`;
}

/**
 * The mutation for a state change: `session.state` with the previous state (plus `session.ended`
 * on exit) and a log line. Null when nothing changes, or when the session has already exited
 * (an exit is final; a late signal must not bring it back).
 */
export function stateMutation(current: Session, change: StateChange, detail?: string): SessionMutation | null {
  if (current.state === 'exited') return null;
  const agentSessionId = change.agentSessionId ?? current.agentSessionId;
  const same = current.state === change.state && current.waitingFor === change.waitingFor;
  if (same) {
    if (agentSessionId === current.agentSessionId) return null;
    return { session: { ...current, agentSessionId }, events: [], log: [] };
  }
  const exited = change.state === 'exited';
  const next: Session = {
    ...current,
    state: change.state,
    since: change.at,
    source: change.source,
    waitingFor: change.waitingFor,
    agentSessionId,
    pid: exited ? null : current.pid,
    endedAt: exited ? change.at : null,
  };
  const events: EventDraft[] = [{ type: 'session.state', session: next, previous: current.state }];
  if (exited) events.push({ type: 'session.ended', session: next });
  return { session: next, events, log: [logEntry(current, 'state', describeChange(current.state, change, detail), change.at)] };
}

/** Applies a state change in one transaction; returns the stored session. */
export function applyStateChange(store: SessionStore, sessionId: string, change: StateChange, detail?: string): Promise<Session | null> {
  return store.updateSession(sessionId, (current) => stateMutation(current, change, detail));
}

/** The StateChange a session's stored state stands for (a tracker's `initial` after a restart). */
export function storedState(session: Session): StateChange {
  return { state: session.state, source: session.source, at: session.since, waitingFor: session.waitingFor, agentSessionId: session.agentSessionId };
}
