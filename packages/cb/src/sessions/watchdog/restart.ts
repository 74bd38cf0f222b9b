/**
 * Restarting an agent session whose agent died: the same session (id, name, tmux session name,
 * directory) in a fresh pane, resuming the agent's own conversation when it has one.
 */
import type { Session } from '@flotilla/protocol';
import { isKitError } from '@flotilla/kit/tmux';
import { fixPane, launchEnv } from '../create.js';
import type { SessionDeps } from '../deps.js';
import { paneCommand, SESSION_PANE, writeLaunchFiles } from '../launch.js';
import { logEntry } from '../state.js';

/** How many restarts a session may have within RESTART_WINDOW_MS before it is left exited (a crash loop). */
export const DEFAULT_MAX_RESTARTS = 3;
export const RESTART_WINDOW_MS = 10 * 60_000;

/** Restart times per session, to tell a crash loop from the odd crash overnight. */
export class RestartBudget {
  private readonly times = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs = RESTART_WINDOW_MS,
  ) {}

  /** Takes one restart for this session if the budget allows; false in a crash loop. */
  take(sessionId: string, nowMs: number): boolean {
    const recent = (this.times.get(sessionId) ?? []).filter((t) => nowMs - t < this.windowMs);
    if (recent.length >= this.max) {
      this.times.set(sessionId, recent);
      return false;
    }
    this.times.set(sessionId, [...recent, nowMs]);
    return true;
  }

  used(sessionId: string, nowMs: number): number {
    return (this.times.get(sessionId) ?? []).filter((t) => nowMs - t < this.windowMs).length;
  }
}

/**
 * Starts the session's agent again in a new pane (the dead one is removed first) and stores the
 * session as `unknown` (source `watchdog`) with one more restart and the new pid, plus a log line.
 * Resumes the agent's conversation (`claude --resume`, `codex resume`) when one is known.
 * Returns the stored session; throws when the pane could not be started.
 */
export async function relaunchSession(deps: SessionDeps, session: Session, reason: string, options: { resume: boolean } = { resume: true }): Promise<Session> {
  const dir = deps.paths.sessionDir(session.id);
  const resume = options.resume ? session.agentSessionId : null;
  const plan = deps.planLaunch({ sessionId: session.id, agent: session.agent, model: session.model, cwd: session.cwd, dir, resumeAgentSessionId: resume });
  const env = await launchEnv(deps, session, plan);
  const envFile = await writeLaunchFiles(dir, plan, env);
  await deps.tmux.killSession(session.tmuxSession).catch((error: unknown) => {
    if (!isKitError(error, 'TMUX_SESSION_NOT_FOUND')) throw error;
  });
  await deps.tmux.newSession({ name: session.tmuxSession, cwd: session.cwd, command: paneCommand(envFile, plan.argv), ...SESSION_PANE, remainOnExit: false });
  await fixPane(deps, session.tmuxSession);
  const pid = await deps.tmux.panePid(session.tmuxSession).catch(() => null);
  const at = deps.now().toISOString();
  const how = resume ? `resuming conversation ${resume}` : session.agentSessionId ? `a new conversation (resuming ${session.agentSessionId} failed)` : 'a new conversation (none to resume)';
  const stored = await deps.store.updateSession(session.id, (current) => {
    const next: Session = { ...current, state: 'unknown', since: at, source: 'watchdog', waitingFor: null, pid: pid ?? null, restarts: current.restarts + 1, endedAt: null };
    return {
      session: next,
      events: [{ type: 'session.state', session: next, previous: current.state }],
      log: [logEntry(current, 'watchdog', `restarted the agent (restart ${next.restarts}), ${how}: ${reason}`, at)],
    };
  });
  deps.bus.notify();
  return stored ?? session;
}
