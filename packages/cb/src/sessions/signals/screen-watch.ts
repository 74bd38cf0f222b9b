/**
 * The screen as a state source, per agent, only where no better signal exists: Claude's
 * "API error · Retrying" (rate_limited), Codex's `/clear` and a given-up retry, custom agents
 * entirely, and every agent's first-run dialogs. Pure decisions over one capture.
 */
import type { SessionState } from '@flotilla/protocol';
import { claudePromptShown, claudeRetryUntil, codexComposerShown, codexFreshScreen, screenShowsPermissionDialog, screenShowsWorking } from './screen.js';

export interface ScreenVerdict {
  state: SessionState;
  waitingFor: string | null;
}

export interface ScreenContext {
  agent: string;
  state: SessionState;
  /** Whether the agent's UI is up (a hook, the session file or its prompt was seen). */
  agentUp: boolean;
  now: number;
  /** When the screen last showed Claude's retry line (epoch ms, 0 if never). */
  retrySeenAt: number;
  /** The tool call PreToolUse announced (`Bash: make`), to name what a permission dialog asks. */
  pendingTool?: string | null;
  /** When the session entered `state` (epoch ms). */
  stateAtMs?: number;
}

/**
 * A compaction Claude refuses (`Not enough messages to compact.`) fires PreCompact but never
 * PostCompact, and leaves the session file as it was: after this long in `compacting` with no
 * spinner and the prompt shown, it is waiting for input again.
 */
export const COMPACT_SETTLE_MS = 3000;

/** How long Claude's retry line must be gone before a rate-limited session counts as working again. */
const RETRY_GONE_MS = 2500;

/** Whether a capture is worth taking in `state` (the poll is skipped otherwise). */
export function screenNeeded(agent: string, state: SessionState, agentUp: boolean): boolean {
  if (!agentUp) return true;
  if (agent === 'claude') return state === 'working' || state === 'rate_limited' || state === 'compacting';
  if (agent === 'codex') return state === 'working' || state === 'rate_limited' || state === 'waiting_input' || state === 'unknown';
  return state !== 'exited';
}

/** Whether the agent's own UI shows it is ready (used until a hook arrives). */
export function screenShowsAgentUp(agent: string, screen: string): boolean {
  if (agent === 'claude') return claudePromptShown(screen);
  if (agent === 'codex') return codexComposerShown(screen);
  return true; // no dialogs known: a custom agent is up once its pane is
}

/** What the screen says about a Claude or Codex session; null to keep the state. */
export function knownAgentScreenVerdict(ctx: ScreenContext, screen: string): ScreenVerdict | null {
  const working = screenShowsWorking(screen);
  // The dialog is drawn about as soon as the hook and the session file say so: whichever is first.
  if (ctx.state === 'working' && screenShowsPermissionDialog(ctx.agent, screen)) {
    return { state: 'waiting_permission', waitingFor: ctx.pendingTool ?? 'permission prompt' };
  }
  if (ctx.agent === 'claude') {
    const until = claudeRetryUntil(screen, ctx.now);
    if (until !== null && (ctx.state === 'working' || ctx.state === 'rate_limited')) {
      return { state: 'rate_limited', waitingFor: new Date(until).toISOString() };
    }
    // Between attempts the retry line goes away for a moment: back to working only once it stayed
    // away a while. Giving up is told by the StopFailure hook and the session file, not the screen.
    if (ctx.state === 'rate_limited') return working && ctx.now - ctx.retrySeenAt > RETRY_GONE_MS ? { state: 'working', waitingFor: null } : null;
    if (ctx.state === 'unknown' && claudePromptShown(screen)) return { state: working ? 'working' : 'idle', waitingFor: null };
    if (ctx.state === 'compacting' && !working && claudePromptShown(screen) && ctx.now - (ctx.stateAtMs ?? ctx.now) >= COMPACT_SETTLE_MS) {
      return { state: 'waiting_input', waitingFor: null };
    }
    return null;
  }
  if (ctx.state === 'rate_limited' && !working) return { state: 'waiting_input', waitingFor: null };
  if (ctx.state === 'unknown' && codexComposerShown(screen)) return { state: working ? 'working' : 'idle', waitingFor: null };
  if (ctx.state === 'waiting_input' && codexFreshScreen(screen)) return { state: 'idle', waitingFor: null };
  return null;
}

/** How long a custom agent's screen must stay unchanged before a turn counts as finished. */
export const CUSTOM_QUIET_MS = 2000;

/**
 * A custom agent's state from screen changes alone: output moving = working, quiet for
 * CUSTOM_QUIET_MS after moving = waiting_input, never moved since start = idle.
 */
export function createCustomScreenJudge(): (screen: string, state: SessionState, now: number) => ScreenVerdict | null {
  let last: string | null = null;
  let changedAt = 0;
  return (screen, state, now) => {
    const changed = last !== null && screen !== last;
    const first = last === null;
    last = screen;
    if (changed) changedAt = now;
    if (first) return state === 'unknown' ? { state: 'idle', waitingFor: null } : null;
    if (changed && state !== 'working') return { state: 'working', waitingFor: null };
    if (!changed && state === 'working' && now - changedAt >= CUSTOM_QUIET_MS) return { state: 'waiting_input', waitingFor: null };
    return null;
  };
}
