/**
 * The state of a discovered session from what one pass saw, given its stored state. Pure.
 * Without hooks, a poll every few seconds sees levels only: Claude's session file
 * (idle | busy | waiting), the screen markers the trackers use (`../signals/screen.ts`), or the
 * `state` of `claude agents --json`.
 */
import type { SessionState } from '@flotilla/protocol';
import type { StateChange } from '../contract.js';
import { claudePromptShown, claudeRetryUntil, codexComposerShown, codexFreshScreen, paneDeadShown, screenShowsPermissionDialog, screenShowsWorking } from '../signals/screen.js';
import type { Found } from './scan.js';

interface Verdict {
  state: SessionState;
  waitingFor: string | null;
}

/** After a turn (or a question, a retry) the prompt is back: `waiting_input`; before any turn: `idle`. */
function promptBack(current: SessionState): Verdict {
  return { state: current === 'unknown' || current === 'idle' ? 'idle' : 'waiting_input', waitingFor: null };
}

function fromLevel(status: 'idle' | 'busy' | 'waiting', waitingFor: string | null, current: SessionState): Verdict {
  if (status === 'busy') return { state: 'working', waitingFor: null };
  if (status === 'waiting') return { state: 'waiting_permission', waitingFor: waitingFor ?? 'permission prompt' };
  return promptBack(current);
}

/** What the screen of a Claude or Codex pane says; null when it tells nothing (the state is kept). */
export function screenVerdict(agent: string, screen: string, current: SessionState, now: number): Verdict | null {
  if (paneDeadShown(screen)) return { state: 'exited', waitingFor: null };
  if (screenShowsPermissionDialog(agent, screen)) return { state: 'waiting_permission', waitingFor: 'permission prompt' };
  if (agent === 'claude') {
    const until = claudeRetryUntil(screen, now);
    if (until !== null) return { state: 'rate_limited', waitingFor: new Date(until).toISOString() };
  }
  if (screenShowsWorking(screen)) return { state: 'working', waitingFor: null };
  if (agent === 'codex' && codexFreshScreen(screen)) return { state: 'idle', waitingFor: null };
  if ((agent === 'claude' && claudePromptShown(screen)) || (agent === 'codex' && codexComposerShown(screen))) return promptBack(current);
  return null;
}

/** `claude agents --json` `state` of a background session. */
function fromAgentsState(state: string, current: SessionState): Verdict {
  switch (state) {
    case 'working':
    case 'busy':
    case 'running':
      return { state: 'working', waitingFor: null };
    case 'waiting':
      return { state: 'waiting_permission', waitingFor: 'permission prompt' };
    case 'idle':
    case 'done':
      return promptBack(current);
    default:
      return { state: 'unknown', waitingFor: null };
  }
}

/**
 * The change a pass brings to a discovered session in state `current` (`unknown` when it is new),
 * or null when nothing changed. Its `at` is the session file's own stamp when it has one.
 */
export function discoveredChange(found: Found, current: { state: SessionState; waitingFor: string | null; sinceMs: number }, now: Date): StateChange | null {
  let verdict: Verdict | null;
  let at = now.getTime();
  const signal = found.signal;
  if (signal.kind === 'session-file') {
    verdict = fromLevel(signal.level.status, signal.level.waitingFor, current.state);
    // The file's stamp, when it is plausible (after the current state began, not in the future).
    if (signal.level.at > current.sinceMs && signal.level.at <= at) at = signal.level.at;
  } else if (signal.kind === 'screen') {
    verdict = signal.paneDead ? { state: 'exited', waitingFor: null } : screenVerdict(found.agent, signal.screen, current.state, at);
  } else {
    verdict = fromAgentsState(signal.state, current.state);
  }
  if (!verdict) return null;
  const agentSessionId = signal.kind === 'session-file' ? signal.level.sessionId : undefined;
  if (verdict.state === current.state && verdict.waitingFor === current.waitingFor) {
    return agentSessionId ? { state: current.state, source: signal.kind, at: new Date(current.sinceMs).toISOString(), waitingFor: current.waitingFor, agentSessionId } : null;
  }
  return { state: verdict.state, source: signal.kind, at: new Date(at).toISOString(), waitingFor: verdict.waitingFor, ...(agentSessionId ? { agentSessionId } : {}) };
}
