/**
 * The session manager: owns every live session's tracker, persists each StateChange (with its
 * event and log line, in one transaction), and carries out create, stop, send, answer and peek.
 * It never owns the agents: they live in tmux, and after a daemon restart `recover()` re-attaches
 * trackers to the sessions that still exist and marks the others exited.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import createDebug from 'debug';
import { ProtocolError, type Answer, type Peek, type SendReceipt, type SendRequest, type Session, type SessionLogEntry } from '@flotilla/protocol';
import type { SessionAlert, StateChange, StateTracker } from './contract.js';
import { createAndLaunch, type CreateSessionInput } from './create.js';
import { answerPermission, pressExitKeys, sendKey, sendText, type DeliveryTarget } from './delivery.js';
import { DEFAULT_SESSION_TIMING, type SessionDeps, type SessionTiming } from './deps.js';
import { reassertPaneLog } from './output/pane-log.js';
import { applyStateChange, logEntry, storedState } from './state.js';

const debug = createDebug('cb:sessions');

/** How often a stopping session is checked for having quit. */
const STOP_POLL_MS = 100;

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
  recover(): Promise<{ reattached: string[]; exited: string[] }>;
  /** Stops trackers and the liveness check; the agents keep running in tmux. */
  close(): void;
}

interface Live {
  tracker: StateTracker;
  tmuxSession: string;
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

  async function record(sessionId: string, change: StateChange, detail?: string): Promise<Session | null> {
    const stored = await applyStateChange(deps.store, sessionId, change, detail);
    deps.bus.notify();
    if (stored?.state === 'exited') detach(sessionId);
    return stored;
  }

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

  function attach(session: Session, initial: StateChange | null): void {
    const entry: Live = { tracker: undefined as unknown as StateTracker, tmuxSession: session.tmuxSession, queue: Promise.resolve() };
    live.set(session.id, entry);
    entry.tracker = deps.startTracker({
      sessionId: session.id,
      agent: session.agent,
      cwd: session.cwd,
      dir: deps.paths.sessionDir(session.id),
      tmux: deps.tmux,
      tmuxSession: session.tmuxSession,
      home: deps.config.env.HOME ?? deps.env.HOME,
      initial,
      onChange: (change) => {
        if (closed || !live.has(session.id)) return;
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

  async function requireLive(name: string): Promise<{ session: Session; entry: Live }> {
    const session = await find(name);
    const entry = live.get(session.id);
    if (session.state === 'exited' || !entry) {
      throw new ProtocolError('SESSION_NOT_RUNNING', `session ${name} has exited`, { fix: `start it again with: cb session new ${name}` });
    }
    return { session, entry };
  }

  /** One `tmux list-sessions` for all: a session whose tmux session is gone or whose pane is dead has exited. */
  async function checkLiveness(): Promise<void> {
    if (live.size === 0) return;
    const panes = new Map((await deps.tmux.listSessions()).map((s) => [s.name, s]));
    for (const [id, entry] of [...live]) {
      const pane = panes.get(entry.tmuxSession);
      if (pane && !pane.paneDead) continue;
      const detail = !pane ? 'its tmux session is gone' : pane.exitSignal !== null ? `killed by signal ${pane.exitSignal}` : `exit status ${pane.exitStatus ?? 'unknown'}`;
      await serially(entry, () => record(id, { state: 'exited', source: 'process', at: deps.now().toISOString(), waitingFor: null }, detail));
    }
  }

  const liveness = setInterval(() => void checkLiveness().catch((error: unknown) => debug('liveness check failed: %o', error)), timing.livenessMs);
  liveness.unref();

  async function waitUntilGone(tmuxSession: string): Promise<boolean> {
    const deadline = Date.now() + timing.stopGraceMs;
    while (Date.now() < deadline) {
      const pane = (await deps.tmux.listSessions()).find((s) => s.name === tmuxSession);
      if (!pane || pane.paneDead) return true;
      await sleep(STOP_POLL_MS);
    }
    return false;
  }

  function target(session: Session, entry: Live): DeliveryTarget {
    return { deps, timing, session, tracker: entry.tracker };
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
      const entry = live.get(session.id);
      const stop = async (): Promise<Session> => {
        const current = (await deps.store.getSession(session.id)) ?? session;
        if (current.state !== 'exited') await pressExitKeys(deps, current);
        const quit = current.state === 'exited' || (await waitUntilGone(current.tmuxSession));
        await deps.tmux.killSession(current.tmuxSession);
        const detail = quit ? 'stopped by cb session stop' : `stopped by cb session stop (killed after ${timing.stopGraceMs / 1000}s)`;
        const stored = await record(session.id, { state: 'exited', source: 'cb', at: deps.now().toISOString(), waitingFor: null }, detail);
        detach(session.id);
        return stored ?? current;
      };
      return entry ? serially(entry, stop) : stop();
    },
    async send(name, request) {
      const { session, entry } = await requireLive(name);
      if ('key' in request) return serially(entry, () => sendKey(target(session, entry), request.key));
      if (session.state === 'waiting_permission') {
        throw new ProtocolError('CONFLICT', `session ${name} is asking for a permission (${session.waitingFor ?? 'a tool'}); text would land in the dialog`, {
          fix: `answer it first: cb answer ${name} yes|no`,
        });
      }
      const receipt = await serially(entry, () => sendText(target(session, entry), request.text));
      const chars = [...request.text].length;
      const message = receipt.delivered
        ? `sent ${chars} characters: confirmed by ${receipt.confirmedBy} after ${receipt.ms} ms (attempt ${receipt.attempts})`
        : `send of ${chars} characters FAILED: ${receipt.error}`;
      await deps.store.appendSessionLog([logEntry(session, 'send', message)]);
      deps.bus.notify();
      if (!receipt.delivered) throw new ProtocolError('DELIVERY_FAILED', receipt.error ?? 'not delivered', { fix: `look at the screen: cb peek ${name}`, details: receipt });
      return receipt;
    },
    async answer(name, answer) {
      const { session, entry } = await requireLive(name);
      await serially(entry, () => answerPermission(target(session, entry), answer));
      await deps.store.appendSessionLog([logEntry(session, 'send', `answered ${answer} to: ${session.waitingFor ?? 'a permission question'}`)]);
      deps.bus.notify();
      return session;
    },
    async peek(name, lines) {
      const session = await find(name);
      let screen: string;
      try {
        screen = await deps.tmux.capturePane(session.tmuxSession, { lines });
      } catch {
        throw new ProtocolError('SESSION_NOT_RUNNING', `session ${name} has no screen any more (${session.state})`, { fix: `read what happened: cb session log ${name}` });
      }
      return { name: session.name, lines: screen.split('\n').slice(-lines), state: session.state, at: deps.now().toISOString() };
    },
    async log(name) {
      return deps.store.sessionLog((await find(name)).id);
    },
    async recover() {
      const report = { reattached: [] as string[], exited: [] as string[] };
      const panes = new Map((await deps.tmux.listSessions()).map((s) => [s.name, s]));
      for (const session of await deps.store.listSessions({})) {
        if (live.has(session.id)) continue;
        const pane = panes.get(session.tmuxSession);
        if (pane && !pane.paneDead) {
          attach(session, storedState(session));
          await reassertPaneLog(deps, session);
          report.reattached.push(session.name);
        } else {
          const detail = pane ? 'it exited while the daemon was down' : 'its tmux session was gone after a daemon restart';
          await record(session.id, { state: 'exited', source: 'process', at: deps.now().toISOString(), waitingFor: null }, detail);
          report.exited.push(session.name);
        }
      }
      debug('session recovery: %o', report);
      return report;
    },
    close() {
      closed = true;
      clearInterval(liveness);
      for (const id of [...live.keys()]) detach(id);
    },
  };
}
