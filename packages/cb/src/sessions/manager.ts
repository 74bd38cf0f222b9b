/**
 * The session manager: owns every live session's tracker, persists each StateChange (with its
 * event and log line, in one transaction), and carries out create, stop, send, answer and peek.
 * It never owns the agents: they live in tmux, and after a daemon restart `recover()` re-attaches
 * trackers to the sessions that still exist and marks the others exited.
 */
import createDebug from 'debug';
import type { Tmux, TmuxSessionInfo } from '@flotilla/kit/tmux';
import { ProtocolError, type Answer, type Peek, type SendReceipt, type SendRequest, type Session, type SessionLogEntry } from '@flotilla/protocol';
import type { SessionAlert, StateChange, StateTracker } from './contract.js';
import { createAndLaunch, type CreateSessionInput } from './create.js';
import { answerPermission, pressExitKeys, sendKey, sendText, type DeliveryTarget } from './delivery.js';
import { DEFAULT_SESSION_TIMING, type SessionDeps, type SessionTiming } from './deps.js';
import { adoptDiscovered } from './discovery/adoption.js';
import { createPaneTmux } from './discovery/pane-tmux.js';
import { reassertPaneLog } from './output/pane-log.js';
import { paneExit, panesOf, waitUntilPaneGone } from './panes.js';
import { applyStateChange, logEntry, storedState } from './state.js';
import { releaseSessionWorktree } from './worktree.js';
import { DEFAULT_WATCHDOG_POLICY } from './watchdog/policy.js';
import { createWatchdog } from './watchdog/watchdog.js';

const debug = createDebug('cb:sessions');

export interface SessionManager {
  create(request: CreateSessionInput): Promise<Session>;
  list(options: { all?: boolean }): Promise<Session[]>;
  /** The live session of this name (else the latest ended one); SESSION_NOT_FOUND otherwise. */
  get(name: string): Promise<Session>;
  stop(name: string): Promise<Session>;
  /** A receipt; throws DELIVERY_FAILED (receipt in `details`) when text was not confirmed. */
  send(name: string, request: SendRequest): Promise<SendReceipt>;
  answer(name: string, answer: Answer): Promise<Session>;
  peek(name: string, lines: number): Promise<Peek>;
  log(name: string): Promise<SessionLogEntry[]>;
  /** After a daemon (re)start: re-attach trackers to live tmux sessions, mark the rest exited. */
  recover(): Promise<{ reattached: string[]; restarted: string[]; exited: string[] }>;
  /** A discovered agent in a pane of the user's tmux server becomes a managed session (tracker attached, no hooks). */
  adopt(name: string): Promise<Session>;
  /** Stops trackers and the liveness check; the agents keep running in tmux. */
  close(): void;
}

interface Live {
  tracker: StateTracker;
  tmuxSession: string;
  /** The server the session lives on: Flotilla's own (`deps.tmux`), or the user's for an adopted one. */
  tmux: Tmux;
  /** Changes, sends and answers of one session run one after another. */
  queue: Promise<unknown>;
}

export function createSessionManager(deps: SessionDeps): SessionManager {
  const timing: SessionTiming = { ...DEFAULT_SESSION_TIMING, ...deps.timing };
  const live = new Map<string, Live>();
  let closed = false;

  function serially<T>(entry: Live, work: () => Promise<T>): Promise<T> {
    const run = entry.queue.then(work, work);
    entry.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Commits a state change. An agent's exit goes to the watchdog first (which may restart it);
   * every committed change then goes to the watchdog off the session's queue (notifications must
   * never hold up the next signal).
   */
  async function record(sessionId: string, change: StateChange, detail?: string): Promise<Session | null> {
    let why = detail;
    const before = await deps.store.getSession(sessionId);
    if (before && change.state === 'exited' && change.source !== 'cb') {
      const handled = await watchdog.onAgentExit(before, change, detail);
      if (handled && handled.detail === undefined) return handled.session;
      why = handled?.detail ?? why;
    }
    const stored = await applyStateChange(deps.store, sessionId, change, why);
    deps.bus.notify();
    if (stored?.state === 'exited') detach(sessionId);
    if (stored && before && stored.state !== before.state) {
      void watchdog.onRecorded(stored, before.state, change).catch((error: unknown) => debug('watchdog on %s failed: %o', stored.name, error));
    }
    return stored;
  }

  /** Text as one turn, through the session's queue, with a log line; the receipt either way. */
  async function deliverText(session: Session, entry: Live, text: string): Promise<SendReceipt> {
    const receipt = await serially(entry, () => sendText(target(session, entry), text));
    const chars = [...text].length;
    const message = receipt.delivered
      ? `sent ${chars} characters: ${receipt.confirmedBy ? `confirmed by ${receipt.confirmedBy}` : 'not confirmed (a watcher has no receipts; not seen on its screen)'} after ${receipt.ms} ms (attempt ${receipt.attempts})`
      : `send of ${chars} characters FAILED: ${receipt.error}`;
    await deps.store.appendSessionLog([logEntry(session, 'send', message)]);
    deps.bus.notify();
    return receipt;
  }

  const stopping = new Set<string>();
  const watchdog = createWatchdog(
    deps,
    {
      record: (session, change, detail) => {
        const entry = live.get(session.id);
        return entry ? serially(entry, () => record(session.id, change, detail)) : Promise.resolve(null);
      },
      send: async (session, text) => {
        const entry = live.get(session.id);
        if (!entry) return { delivered: false, confirmedBy: null, attempts: 1, ms: 0, error: 'the session has no live tracker' };
        return deliverText(session, entry, text);
      },
      reattach: (session) => {
        detach(session.id);
        attach(session, { ...storedState(session), state: 'unknown', source: 'watchdog' });
      },
      stopping: (id) => stopping.has(id),
    },
    { ...DEFAULT_WATCHDOG_POLICY, ...deps.config.watchdog, ...deps.watchdog },
  );

  /** A log line (`session.log` event) and a notification carrying the lines around the match. */
  async function recordAlert(session: Session, alert: SessionAlert): Promise<void> {
    await deps.store.appendSessionLog([logEntry(session, 'alert', `/${alert.pattern}/ matched: ${alert.line}`, alert.at)]);
    deps.bus.notify();
    await deps.notify?.(session, { kind: 'alert', level: 'warning', title: `${session.name}: /${alert.pattern}/ matched`, body: alert.context.join('\n') });
  }

  function detach(sessionId: string): void {
    live.get(sessionId)?.tracker.stop();
    live.delete(sessionId);
  }

  /**
   * The tmux server a session lives on: Flotilla's own, or for an adopted one its pane on the user's
   * server (`tmuxSocket`; `tmuxSession` is then the pane id).
   */
  function tmuxOf(session: Session): Tmux {
    if (!session.tmuxSocket) return deps.tmux;
    return createPaneTmux({ socketName: session.tmuxSocket, paneId: session.tmuxSession, agentPid: session.pid });
  }

  function attach(session: Session, initial: StateChange | null): void {
    const tmux = tmuxOf(session);
    const entry: Live = { tracker: undefined as unknown as StateTracker, tmuxSession: session.tmuxSession, tmux, queue: Promise.resolve() };
    live.set(session.id, entry);
    // An adopted agent has no hooks, and the tracker lets only a hook move `idle` to `working`
    // (Claude's file goes busy for a moment after /clear): from `waiting_input` the file's busy counts.
    const start = session.tmuxSocket && initial?.state === 'idle' ? { ...initial, state: 'waiting_input' as const } : initial;
    entry.tracker = deps.startTracker({
      sessionId: session.id,
      agent: session.agent,
      cwd: session.cwd,
      dir: deps.paths.sessionDir(session.id),
      tmux,
      tmuxSession: session.tmuxSession,
      home: deps.config.env.HOME ?? deps.env.HOME,
      initial: start,
      kind: session.kind,
      alerts: session.alerts,
      command: session.command,
      onChange: (change) => {
        if (closed || live.get(session.id) !== entry) return;
        void serially(entry, () => record(session.id, change)).catch((error: unknown) => debug('recording %o for %s failed: %o', change, session.name, error));
      },
      onAlert: (alert) => {
        if (closed || !live.has(session.id)) return;
        void recordAlert(session, alert).catch((error: unknown) => debug('recording an alert of %s failed: %o', session.name, error));
      },
    });
  }

  async function find(name: string): Promise<Session> {
    const session = await deps.store.findSession(name);
    if (!session) throw new ProtocolError('SESSION_NOT_FOUND', `no session called "${name}"`, { fix: 'list them with: cb session ls --all' });
    return session;
  }

  /** A discovered session is read-only until adopted. */
  function refuseExternal(session: Session, what: string): void {
    if (!session.external || session.state === 'exited') return;
    const adoptable = Boolean(session.tmuxSocket && session.tmuxSession);
    throw new ProtocolError('CONFLICT', `session ${session.name} was started outside Flotilla and is read-only: cannot ${what} it`, {
      fix: adoptable ? `adopt it first: cb session adopt ${session.name}` : `it is not in a tmux pane, so it cannot be adopted (cb session adopt ${session.name} says why); use the agent's own UI`,
    });
  }

  async function requireLive(name: string, what: string): Promise<{ session: Session; entry: Live }> {
    const session = await find(name);
    refuseExternal(session, what);
    const entry = live.get(session.id);
    if (session.state === 'exited' || !entry) {
      throw new ProtocolError('SESSION_NOT_RUNNING', `session ${name} has exited`, { fix: `start it again with: cb session new ${name}` });
    }
    return { session, entry };
  }

  /**
   * One `tmux list-sessions` for all on Flotilla's server (one `list-panes` per adopted session): a
   * session whose tmux session is gone or whose pane is dead (for an adopted one: whose agent
   * process is gone) has exited.
   */
  async function checkLiveness(): Promise<void> {
    if (live.size === 0) return;
    let own: Map<string, TmuxSessionInfo> | null = null;
    for (const [id, entry] of [...live]) {
      let panes: Map<string, TmuxSessionInfo>;
      if (entry.tmux === deps.tmux) panes = own ??= await panesOf(deps.tmux);
      else {
        const listed = await entry.tmux.listSessions().catch(() => null);
        if (!listed) continue; // the user's server did not answer: ask again next round
        panes = new Map(listed.map((s) => [s.name, s]));
      }
      const pane = panes.get(entry.tmuxSession);
      if (pane && !pane.paneDead) continue;
      const detail = paneExit(pane).description;
      await serially(entry, () => record(id, { state: 'exited', source: 'process', at: deps.now().toISOString(), waitingFor: null }, detail));
    }
  }

  const liveness = setInterval(() => void checkLiveness().catch((error: unknown) => debug('liveness check failed: %o', error)), timing.livenessMs);
  liveness.unref();
  let watching = false;
  const watchdogTimer = setInterval(() => {
    if (watching || closed) return;
    watching = true;
    void deps.store
      .listSessions({})
      .then((sessions) => watchdog.tick(sessions.filter((s) => live.has(s.id))))
      .catch((error: unknown) => debug('watchdog tick failed: %o', error))
      .finally(() => (watching = false));
  }, deps.watchdog?.tickMs ?? deps.config.watchdog?.tickMs ?? DEFAULT_WATCHDOG_POLICY.tickMs);
  watchdogTimer.unref();

  function target(session: Session, entry: Live): DeliveryTarget {
    return { deps: entry.tmux === deps.tmux ? deps : { ...deps, tmux: entry.tmux }, timing, session, tracker: entry.tracker };
  }

  return {
    async create(request) {
      const session = await createAndLaunch(deps, request);
      attach(session, null);
      const pid = await deps.tmux.panePid(session.tmuxSession);
      const stored = await deps.store.updateSession(session.id, (s) => (pid && s.state !== 'exited' ? { session: { ...s, pid }, events: [], log: [] } : null));
      return stored ?? session;
    },
    list: (options) => deps.store.listSessions(options),
    get: find,
    async stop(name) {
      const session = await find(name);
      refuseExternal(session, 'stop');
      const entry = live.get(session.id);
      const tmux = entry?.tmux ?? tmuxOf(session);
      stopping.add(session.id);
      const stop = async (): Promise<Session> => {
        const current = (await deps.store.getSession(session.id)) ?? session;
        if (current.state !== 'exited') await pressExitKeys(tmux === deps.tmux ? deps : { ...deps, tmux }, current);
        const quit = current.state === 'exited' || (await waitUntilPaneGone(tmux, current.tmuxSession, timing.stopGraceMs));
        await tmux.killSession(current.tmuxSession);
        const detail = quit ? 'stopped by cb session stop' : `stopped by cb session stop (killed after ${timing.stopGraceMs / 1000}s)`;
        const stored = await record(session.id, { state: 'exited', source: 'cb', at: deps.now().toISOString(), waitingFor: null }, detail);
        detach(session.id);
        if (stored) await releaseSessionWorktree(deps.store, stored, 'cb session stop').catch((error: unknown) => debug('releasing the worktree of %s failed: %o', name, error));
        deps.bus.notify();
        return (await deps.store.getSession(session.id)) ?? stored ?? current;
      };
      try {
        return await (entry ? serially(entry, stop) : stop());
      } finally {
        stopping.delete(session.id);
      }
    },
    async send(name, request) {
      const { session, entry } = await requireLive(name, 'send to');
      if ('key' in request) return serially(entry, () => sendKey(target(session, entry), request.key));
      if (session.state === 'waiting_permission') {
        throw new ProtocolError('CONFLICT', `session ${name} is asking for a permission (${session.waitingFor ?? 'a tool'}); text would land in the dialog`, {
          fix: `answer it first: cb answer ${name} yes|no`,
        });
      }
      const receipt = await deliverText(session, entry, request.text);
      if (!receipt.delivered) throw new ProtocolError('DELIVERY_FAILED', receipt.error ?? 'not delivered', { fix: `look at the screen: cb peek ${name}`, details: receipt });
      return receipt;
    },
    async answer(name, answer) {
      const { session, entry } = await requireLive(name, 'answer');
      await serially(entry, () => answerPermission(target(session, entry), answer));
      await deps.store.appendSessionLog([logEntry(session, 'send', `answered ${answer} to: ${session.waitingFor ?? 'a permission question'}`)]);
      deps.bus.notify();
      return session;
    },
    async peek(name, lines) {
      const session = await find(name);
      if (!session.tmuxSession) {
        throw new ProtocolError('CONFLICT', `session ${name} is not in a tmux pane (${session.external ? 'started outside Flotilla' : 'no screen'}): there is no screen to read`, {
          fix: `use the agent's own UI (claude agents; claude logs for a background session)`,
        });
      }
      let screen: string;
      try {
        screen = await (live.get(session.id)?.tmux ?? tmuxOf(session)).capturePane(session.tmuxSession, { lines });
      } catch {
        throw new ProtocolError('SESSION_NOT_RUNNING', `session ${name} has no screen any more (${session.state})`, { fix: `read what happened: cb session log ${name}` });
      }
      return { name: session.name, lines: screen.split('\n').slice(-lines), state: session.state, at: deps.now().toISOString() };
    },
    async log(name) {
      return deps.store.sessionLog((await find(name)).id);
    },
    async recover() {
      const report = { reattached: [] as string[], restarted: [] as string[], exited: [] as string[] };
      const own = await panesOf(deps.tmux);
      for (const session of await deps.store.listSessions({})) {
        // Discovered sessions are discovery's: it keeps those still there and marks the others exited.
        if (live.has(session.id) || session.external) continue;
        const panes = session.tmuxSocket ? new Map(((await tmuxOf(session).listSessions().catch(() => [])) as TmuxSessionInfo[]).map((s) => [s.name, s])) : own;
        const pane = panes.get(session.tmuxSession);
        if (pane && !pane.paneDead) {
          attach(session, storedState(session));
          if (!session.tmuxSocket) await reassertPaneLog(deps, session);
          report.reattached.push(session.name);
        } else {
          const detail = pane ? `it exited while the daemon was down (${paneExit(pane).description})` : 'its tmux session was gone after a daemon restart';
          // A watcher's tracker first matches what its command wrote while the daemon was down (it does so when stopped by the exit).
          if (pane && session.kind === 'watcher') attach(session, storedState(session));
          const stored = await record(session.id, { state: 'exited', source: 'process', at: deps.now().toISOString(), waitingFor: null }, detail);
          (stored && stored.state !== 'exited' ? report.restarted : report.exited).push(session.name);
        }
      }
      debug('session recovery: %o', report);
      return report;
    },
    async adopt(name) {
      const session = await find(name);
      const adopted = await adoptDiscovered(deps, session, tmuxOf(session));
      attach(adopted, storedState(adopted));
      return adopted;
    },
    close() {
      closed = true;
      clearInterval(liveness);
      clearInterval(watchdogTimer);
      for (const id of [...live.keys()]) detach(id);
    },
  };
}
