/**
 * The session watchdog: one mechanism for what breaks while nobody watches. It restarts an agent
 * that died (resuming its conversation), kills one that said it ended but never exited, announces
 * a session that needs its person (at once) or has waited too long (once), compacts a nearly full
 * context, holds a rate-limited session until the reset and then resumes it, and sweeps orphaned
 * and zombie processes. Every action is a `cb session log` line (a `session.log` event) and, where
 * a person should know, a notification.
 */
import createDebug from 'debug';
import type { SendReceipt, Session } from '@flotilla/protocol';
import { resetFromText } from '../../agents/failure-text.js';
import type { StateChange } from '../contract.js';
import type { SessionDeps, SessionNotice } from '../deps.js';
import { logEntry } from '../state.js';
import { sessionContextUsage } from './context-usage.js';
import { MAX_RATE_LIMIT_WAIT_MS, type WatchdogPolicy } from './policy.js';
import { sweepProcesses } from './processes.js';
import { relaunchSession, RestartBudget } from './restart.js';
import { waitForExit, type ExitFacts } from './exit.js';

const debug = createDebug('cb:sessions:watchdog');

/** What the watchdog needs from the session manager (its serial queue and trackers). */
export interface WatchdogOps {
  /** Records a state change through the manager (one transaction, serialised per session). */
  record(session: Session, change: StateChange, detail: string): Promise<Session | null>;
  /** Delivers text as one turn, with a receipt. */
  send(session: Session, text: string): Promise<SendReceipt>;
  /** Starts a fresh tracker for a relaunched session. */
  reattach(session: Session): void;
  /** Ids of sessions a `cb session stop` is ending (never restarted). */
  stopping(sessionId: string): boolean;
}

export interface Watchdog {
  /**
   * An agent session's agent ended (a signal or the pane said so): kills it if it never exited,
   * then restarts it when the policy allows. Returns the session when it handled the exit (restarted,
   * or the report was stale), null when the exit should be recorded as usual.
   */
  onAgentExit(session: Session, change: StateChange, detail: string | undefined): Promise<{ session: Session; detail?: string } | null>;
  /** A state change was committed: announce "needs you", start a rate-limit hold. */
  onRecorded(session: Session, previous: Session['state'], change: StateChange): Promise<void>;
  /** One look at every live session (stuck, context, rate-limit resume, processes). */
  tick(sessions: Session[]): Promise<void>;
}

const RATE_LIMIT_ERROR = /rate.?limit|429|too many requests|hit your limit/i;
/** A resumed agent that exits within this long did not manage to resume. */
const RESUME_FAILED_WITHIN_MS = 20_000;
const NEEDS_YOU = new Set<Session['state']>(['waiting_permission', 'waiting_input']);

export function createWatchdog(deps: SessionDeps, ops: WatchdogOps, policy: WatchdogPolicy): Watchdog {
  const budget = new RestartBudget(policy.maxRestarts);
  const stuckAnnounced = new Set<string>();
  const lastContextCheck = new Map<string, number>();
  const lastCompact = new Map<string, number>();
  const rateLimitStreak = new Map<string, number>();
  /** When each session was last restarted with its conversation resumed. */
  const resumedAt = new Map<string, number>();
  /** Holds already resumed (one `continue` per hold, whatever the agent does next). */
  const resumed = new Set<string>();
  let lastSweep = 0;
  const nowMs = (): number => deps.now().getTime();

  async function log(session: Session, message: string, notice?: Omit<SessionNotice, 'kind'> & { kind?: SessionNotice['kind'] }): Promise<void> {
    await deps.store.appendSessionLog([logEntry(session, 'watchdog', message, deps.now().toISOString())]);
    deps.bus.notify();
    if (notice) await deps.notify?.(session, { kind: 'watchdog', ...notice }).catch((error: unknown) => debug('notify failed: %o', error));
  }

  function restartRefusal(session: Session, exit: ExitFacts): string | null {
    if (!policy.restart) return 'restarts are off (watchdog.restart)';
    if (exit.clean && !policy.restartOnCleanExit) return 'it exited cleanly (status 0)';
    if (!budget.take(session.id, nowMs())) return `crash loop: ${policy.maxRestarts} restarts within 10 minutes`;
    return null;
  }

  async function onAgentExit(session: Session, change: StateChange, detail: string | undefined): Promise<{ session: Session; detail?: string } | null> {
    // Watchers report their exit; adopted panes (on the user's tmux server) are not ours to relaunch.
    if (session.kind !== 'agent' || session.external || session.tmuxSocket || session.state === 'exited' || ops.stopping(session.id)) return null;
    const exit = await waitForExit(deps, session, change, policy.exitGraceMs);
    if (exit.stale) return { session };
    if (exit.killed) await log(session, `the agent said it ended (${change.source}) but had not exited after ${policy.exitGraceMs / 1000}s: killed ${exit.killed}`);
    const what = detail ?? exit.description;
    const refusal = restartRefusal(session, exit);
    if (refusal) {
      if (!exit.clean) await log(session, `the agent exited (${what}); not restarting: ${refusal}`, { title: `${session.name} exited`, body: `${what}; not restarted: ${refusal}`, level: 'error' });
      return null;
    }
    try {
      // A resumed agent that died at once could not resume (a conversation it cannot load): start afresh.
      const lastResume = resumedAt.get(session.id);
      const resume = !(lastResume !== undefined && nowMs() - lastResume < RESUME_FAILED_WITHIN_MS);
      const restarted = await relaunchSession(deps, session, what, { resume });
      if (resume && session.agentSessionId) resumedAt.set(session.id, nowMs());
      else resumedAt.delete(session.id);
      ops.reattach(restarted);
      await deps.notify?.(restarted, { kind: 'watchdog', title: `${session.name} restarted`, body: `the agent exited (${what}); restarted${restarted.agentSessionId ? ' and resumed its conversation' : ''}`, level: 'warning' });
      return { session: restarted };
    } catch (error) {
      const reason = `restart failed: ${(error as Error).message}`;
      debug('%s: %s', session.name, reason);
      return { session, detail: `${what}; ${reason}` };
    }
  }

  async function announceNeedsYou(session: Session, previous: Session['state']): Promise<void> {
    if (previous !== 'working' || !NEEDS_YOU.has(session.state)) return;
    const asks = session.state === 'waiting_permission' ? `asks permission for ${session.waitingFor ?? 'a tool'}` : 'finished its turn and waits for input';
    await deps.notify?.(session, { kind: 'needs_you', title: `${session.name} needs you`, body: `${session.name} (${session.agent}) ${asks}`, level: session.state === 'waiting_permission' ? 'warning' : 'info' });
  }

  /** A turn that failed on a rate limit: hold the session until the reset, then say `continue`. */
  async function holdForRateLimit(session: Session, previous: Session['state'], change: StateChange): Promise<void> {
    if (session.state !== 'waiting_input') return;
    // Claude's StopFailure names the rate limit; when its session file is first, the turn just leaves
    // `rate_limited` (the screen's retry line) for waiting_input: it gave up retrying.
    const error = change.error && RATE_LIMIT_ERROR.test(change.error) ? change.error : previous === 'rate_limited' ? 'gave up retrying a rate limit' : null;
    if (!error) return;
    const streak = (rateLimitStreak.get(session.id) ?? 0) + 1;
    rateLimitStreak.set(session.id, streak);
    const wait = Math.min(policy.rateLimitWaitMs * 2 ** (streak - 1), MAX_RATE_LIMIT_WAIT_MS);
    const until = resetFromText(error) ?? new Date(nowMs() + wait).toISOString();
    const held = await ops.record(session, { state: 'rate_limited', source: 'watchdog', at: deps.now().toISOString(), waitingFor: until }, `paused until ${until}`);
    if (!held) return;
    await log(held, `rate limited (${error.slice(0, 200)}): paused until ${until}, then it is told to continue`, {
      title: `${session.name} rate-limited`,
      body: `paused until ${until}; the watchdog resumes it then`,
      level: 'warning',
    });
  }

  async function resumeAfterRateLimit(session: Session): Promise<void> {
    if (session.state !== 'rate_limited' || session.source !== 'watchdog' || !session.waitingFor) return;
    if (Date.parse(session.waitingFor) > nowMs()) return;
    const key = `${session.id}@${session.waitingFor}`;
    if (resumed.has(key)) return;
    resumed.add(key);
    const receipt = await ops.send(session, 'continue');
    await log(session, receipt.delivered ? `rate limit reset (${session.waitingFor}): sent "continue" (confirmed by ${receipt.confirmedBy})` : `rate limit reset: sending "continue" failed: ${receipt.error}`);
  }

  async function checkStuck(session: Session): Promise<void> {
    if (!policy.stuckAfterMs || !NEEDS_YOU.has(session.state)) return;
    const waited = nowMs() - Date.parse(session.since);
    const key = `${session.id}@${session.since}`;
    if (waited < policy.stuckAfterMs || stuckAnnounced.has(key)) return;
    stuckAnnounced.add(key);
    const logged = (await deps.store.sessionLog(session.id)).some((e) => e.kind === 'watchdog' && e.at >= session.since && e.message.startsWith('stuck'));
    if (logged) return;
    const minutes = Math.round(waited / 60_000);
    const what = session.state === 'waiting_permission' ? `for permission (${session.waitingFor ?? 'a tool'})` : 'for input';
    await log(session, `stuck: waiting ${what} for ${minutes} min`, { kind: 'stuck', title: `${session.name} is stuck`, body: `${session.name} has waited ${what} for ${minutes} min`, level: 'warning' });
  }

  async function checkContext(session: Session): Promise<void> {
    if (!policy.compactAtPercent || session.state !== 'waiting_input') return;
    const now = nowMs();
    if (now - (lastContextCheck.get(session.id) ?? 0) < policy.contextCheckMs) return;
    lastContextCheck.set(session.id, now);
    if (now - (lastCompact.get(session.id) ?? 0) < policy.compactCooldownMs) return;
    const env = { ...deps.env, ...deps.config.env };
    const usage = await sessionContextUsage(session, { home: env.HOME ?? '', codexHome: env.CODEX_HOME }, policy.contextWindow);
    debug('%s: context %o', session.name, usage && { tokens: usage.tokens, percent: usage.percent });
    if (!usage || usage.percent < policy.compactAtPercent) return;
    lastCompact.set(session.id, now);
    const receipt = await ops.send(session, '/compact');
    const full = `context ${usage.percent}% full (${usage.tokens} of ${usage.window} tokens)`;
    await log(session, receipt.delivered ? `${full}: sent /compact (confirmed by ${receipt.confirmedBy})` : `${full}: sending /compact failed: ${receipt.error}`, {
      title: `${session.name} compacted`,
      body: `${full}; the watchdog sent /compact`,
      level: 'info',
    });
  }

  async function guard(what: string, session: Session, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      debug('%s for %s failed: %o', what, session.name, error);
    }
  }

  return {
    onAgentExit,
    async onRecorded(session, previous, change) {
      if (session.state === 'working') rateLimitStreak.delete(session.id);
      await guard('needs-you', session, () => announceNeedsYou(session, previous));
      await guard('rate-limit hold', session, () => holdForRateLimit(session, previous, change));
    },
    async tick(sessions) {
      for (const session of sessions) {
        if (session.state === 'exited' || session.external) continue;
        await guard('stuck check', session, () => checkStuck(session));
        if (session.kind !== 'agent') continue;
        await guard('rate-limit resume', session, () => resumeAfterRateLimit(session));
        await guard('context check', session, () => checkContext(session));
      }
      if (nowMs() - lastSweep >= policy.processSweepMs) {
        lastSweep = nowMs();
        await sweepProcesses(deps, sessions, log).catch((error: unknown) => debug('process sweep failed: %o', error));
      }
    },
  };
}
