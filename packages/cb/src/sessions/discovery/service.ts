/**
 * Discovery in the daemon: a pass every `intervalMs` (and on demand, bounded, before a listing)
 * stores what `scanExternal` found as session rows with `external: true` (docs/decisions.md 22): a new one
 * is created (`session.created`), a change of state is a `session.state` event and a log line, one
 * no longer found is marked `exited`. Adopted and managed sessions are never touched. Nothing here
 * throws into a request: a pass that fails is logged and retried at the next interval.
 */
import createDebug from 'debug';
import { monotonicFactory } from 'ulidx';
import { execFileResult } from '@flotilla/kit/process';
import type { Tmux } from '@flotilla/kit/tmux';
import type { Session } from '@flotilla/protocol';
import type { StateChange } from '../contract.js';
import type { SessionDeps } from '../deps.js';
import type { SessionManager } from '../manager.js';
import { logEntry, stateMutation } from '../state.js';
import { discoveredChange } from './classify.js';
import { scanExternal, type ClaudeBackground, type Found, type ScanResult } from './scan.js';
import { claudeSupervisorDir, claudeSupervisorRunning, tmuxSocketDir, userTmuxSockets } from './sockets.js';

const debug = createDebug('cb:discovery');
const ulid = monotonicFactory();

/** A pass costs a readdir, a few socket connects, one `list-panes` per user server and /proc reads. */
export const DISCOVERY_INTERVAL_MS = 15_000;
/** `claude agents --json` takes 1–9 s (docs/session-signals.md): asked at most this often, in the background. */
export const CLAUDE_AGENTS_EVERY_MS = 60_000;
const CLAUDE_AGENTS_TIMEOUT_MS = 15_000;
/** How long a listing waits for a fresh pass before it answers with what is stored. */
export const LIST_WAIT_MS = 1_500;

export interface DiscoveryOptions {
  deps: Pick<SessionDeps, 'host' | 'store' | 'bus' | 'now' | 'tmux'>;
  /** The user's HOME (Claude's session files); the daemon's by default. */
  home: string;
  intervalMs?: number;
  /** The user's tmux servers; default: the running ones in `$TMUX_TMPDIR/tmux-<uid>/`, Flotilla's left out. */
  tmuxSockets?(): Promise<string[]>;
  /** Whether Claude's supervisor runs; default: one of its sockets in `<tmpdir>/cc-daemon-<uid>/` answers. */
  supervisorRunning?(): Promise<boolean>;
  /** Runs `claude agents --json` and returns its stdout (throws on failure); injectable for tests. */
  runClaudeAgents?(): Promise<string>;
  claudeAgentsEveryMs?: number;
  /** For tests: the tmux handle of a user's socket. */
  tmuxFor?(socketName: string): Tmux;
  /** The environment `claude agents` runs with (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export interface Discovery {
  /** A pass now (or the one running), waited for at most `maxWaitMs`; never throws. */
  refresh(options?: { maxWaitMs?: number }): Promise<void>;
  /** How many times `claude agents` was run (for tests and `cb doctor`). */
  claudeAgentsCalls(): number;
  close(): void;
}

/** The identity of a stored discovered session, as `scanExternal` keys what it finds. */
export function storedKey(session: Session): string {
  if (session.tmuxSocket && session.tmuxSession) return `tmux:${session.tmuxSocket}:${session.tmuxSession}:${session.pid ?? ''}`;
  if (session.pid !== null) return `claude:${session.pid}`;
  return `claude-bg:${session.agentSessionId ?? ''}`;
}

/** Whether the part of the machine a stored session was found in could not be read this pass. */
function scopeFailed(session: Session, failed: ReadonlySet<string>): boolean {
  if (session.tmuxSocket) return failed.has('tmux') || failed.has(`tmux:${session.tmuxSocket}`);
  return failed.has(session.pid !== null ? 'claude-files' : 'claude-bg');
}

/** `claude agents --json`: the background entries (interactive ones come from the session files). */
export function parseClaudeAgents(stdout: string): ClaudeBackground[] {
  const parsed: unknown = JSON.parse(stdout);
  if (!Array.isArray(parsed)) throw new Error('claude agents --json did not print a list');
  return parsed.flatMap((raw: unknown) => {
    const e = (raw ?? {}) as Record<string, unknown>;
    if (e.kind !== 'background' || (typeof e.id !== 'string' && typeof e.id !== 'number')) return [];
    return [
      {
        id: String(e.id),
        sessionId: typeof e.sessionId === 'string' ? e.sessionId : null,
        cwd: typeof e.cwd === 'string' ? e.cwd : '',
        state: typeof e.state === 'string' ? e.state : typeof e.status === 'string' ? e.status : 'unknown',
        name: typeof e.name === 'string' ? e.name : null,
      },
    ];
  });
}

function describe(found: Found, name: string): string {
  const pid = found.pid === null ? '' : `, pid ${found.pid}`;
  const adopt = found.paneId ? `read-only until: cb session adopt ${name}` : 'read-only (not in a tmux pane, so it cannot be adopted)';
  return `discovered ${found.agent} in ${found.where}${pid}; ${adopt}`;
}

export function startDiscovery(options: DiscoveryOptions): Discovery {
  const { deps } = options;
  const tmuxSockets = options.tmuxSockets ?? (() => userTmuxSockets(tmuxSocketDir(options.env), deps.tmux.socketName));
  const supervisorRunning = options.supervisorRunning ?? (() => claudeSupervisorRunning(claudeSupervisorDir()));
  const runClaudeAgents =
    options.runClaudeAgents ??
    (async () => {
      const result = await execFileResult('claude', ['agents', '--json'], { env: { ...(options.env ?? process.env), HOME: options.home }, timeoutMs: CLAUDE_AGENTS_TIMEOUT_MS, maxOutputBytes: 4 * 1024 * 1024 });
      if (result.exitCode !== 0) throw new Error(`claude agents --json: ${result.timedOut ? 'timed out' : `exit ${result.exitCode ?? result.signal}`} ${result.stderr.trim()}`);
      return result.stdout;
    });
  const agentsEveryMs = options.claudeAgentsEveryMs ?? CLAUDE_AGENTS_EVERY_MS;
  let closed = false;
  let running: Promise<void> | null = null;
  let agentsCalls = 0;
  /** The last good `claude agents` answer; null until one came (or after a failure: unknown). */
  let background: ClaudeBackground[] | null = null;
  let backgroundAt = 0;
  let backgroundRun: Promise<void> | null = null;

  /** Cheap: the supervisor check. The slow command runs in the background; a pass uses its last answer. */
  async function claudeBackground(): Promise<ClaudeBackground[] | null> {
    if (!(await supervisorRunning())) {
      background = [];
      return [];
    }
    if (!backgroundRun && Date.now() - backgroundAt >= agentsEveryMs) {
      agentsCalls++;
      backgroundAt = Date.now();
      backgroundRun = runClaudeAgents()
        .then((stdout) => {
          background = parseClaudeAgents(stdout);
          if (!closed) void refresh({ maxWaitMs: 0 });
        })
        .catch((error: unknown) => {
          debug('claude agents failed: %s', (error as Error).message);
          background = null;
        })
        .finally(() => {
          backgroundRun = null;
        });
    }
    return background;
  }

  async function applyChange(session: Session, change: StateChange, detail?: string): Promise<void> {
    // Only while still external: once adopted, the session's tracker owns its state.
    await deps.store.updateSession(session.id, (current) => (current.external ? stateMutation(current, change, detail) : null));
  }

  async function create(found: Found, taken: Set<string>): Promise<void> {
    const now = deps.now();
    const change = discoveredChange(found, { state: 'unknown', waitingFor: null, sinceMs: 0 }, now);
    let name = found.name;
    for (let n = 2; taken.has(name); n++) name = `${found.name.slice(0, 58)}-${n}`;
    taken.add(name);
    const session: Session = {
      id: ulid(),
      name,
      host: deps.host,
      kind: 'agent',
      agent: found.agent,
      model: null,
      cwd: found.cwd,
      worktree: null,
      command: null,
      alerts: [],
      state: change?.state ?? 'unknown',
      since: change?.at ?? now.toISOString(),
      source: change?.source ?? 'process',
      waitingFor: change?.waitingFor ?? null,
      tmuxSession: found.paneId ?? '',
      tmuxSocket: found.tmuxSocket,
      pid: found.pid,
      agentSessionId: found.agentSessionId,
      external: true,
      restarts: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      endedAt: null,
    };
    await deps.store.createSession(session, [logEntry(session, 'lifecycle', describe(found, name), now.toISOString())]);
  }

  async function reconcile(result: ScanResult, stored: Session[]): Promise<void> {
    const external = new Map(stored.filter((s) => s.external).map((s) => [storedKey(s), s]));
    const found = new Map(result.found.map((f) => [f.key, f]));
    const now = deps.now();
    for (const [key, session] of external) {
      if (found.has(key) || scopeFailed(session, result.failed)) continue;
      await applyChange(session, { state: 'exited', source: 'process', at: now.toISOString(), waitingFor: null }, 'no longer found (its pane closed or the agent exited)');
    }
    const taken = new Set(stored.filter((s) => !external.has(storedKey(s)) || found.has(storedKey(s))).map((s) => s.name));
    for (const [key, f] of found) {
      const session = external.get(key);
      if (!session) {
        await create(f, taken).catch((error: unknown) => debug('storing %s failed: %o', f.key, error));
        continue;
      }
      const change = discoveredChange(f, { state: session.state, waitingFor: session.waitingFor, sinceMs: Date.parse(session.since) }, now);
      if (change) await applyChange(session, change);
    }
  }

  async function pass(): Promise<void> {
    const stored = await deps.store.listSessions({});
    const managed = stored.filter((s) => !s.external);
    const result = await scanExternal({
      home: options.home,
      tmuxSockets,
      managedPids: new Set(managed.flatMap((s) => (s.pid === null ? [] : [s.pid]))),
      managedPanes: new Set(managed.flatMap((s) => (s.tmuxSocket ? [`${s.tmuxSocket}:${s.tmuxSession}`] : []))),
      claudeBackground,
      ...(options.tmuxFor ? { tmuxFor: options.tmuxFor } : {}),
    });
    if (closed) return;
    // Sessions adopted or created while scanning are looked up again, so nothing is stored twice.
    await reconcile(result, await deps.store.listSessions({}));
    deps.bus.notify();
  }

  function refresh(refreshOptions: { maxWaitMs?: number } = {}): Promise<void> {
    if (closed) return Promise.resolve();
    running ??= pass()
      .catch((error: unknown) => debug('discovery pass failed: %o', error))
      .finally(() => {
        running = null;
      });
    const wait = refreshOptions.maxWaitMs;
    if (wait === undefined) return running;
    return Promise.race([running, new Promise<void>((resolve) => setTimeout(resolve, wait).unref())]);
  }

  const timer = setInterval(() => void refresh(), options.intervalMs ?? DISCOVERY_INTERVAL_MS);
  timer.unref();
  void refresh();

  return {
    refresh,
    claudeAgentsCalls: () => agentsCalls,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}

/** The manager with a bounded discovery pass before each listing (`cb session ls`, `GET /api/sessions`). */
export function withDiscovery(manager: SessionManager, discovery: Discovery): SessionManager {
  return {
    ...manager,
    async list(listOptions) {
      await discovery.refresh({ maxWaitMs: LIST_WAIT_MS });
      return manager.list(listOptions);
    },
    close() {
      discovery.close();
      manager.close();
    },
  };
}
