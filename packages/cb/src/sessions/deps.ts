import type { Tmux } from '@flotilla/kit/tmux';
import type { AgentRegistry } from '../agents/registry.js';
import type { Config } from '../config.js';
import type { HomePaths } from '../home.js';
import type { Session } from '@flotilla/protocol';
import type { SessionStore } from '../store/types.js';
import type { PlanLaunch, StartTracker } from './contract.js';
import type { WatchdogPolicy } from './watchdog/policy.js';
import type { AgentAccess } from '../relay/access.js';

/** Grace periods and poll intervals; tests shorten them. */
export interface SessionTiming {
  /** After the agent's own exit keys, how long it may take to quit before its tmux session is killed. */
  stopGraceMs: number;
  /** Between the paste and the Enter: a TUI may take an Enter that arrives with the paste as part of it. */
  enterDelayMs: number;
  /** How long a receipt (the prompt-submit signal) may take per attempt before one retry, then failure. */
  confirmMs: number;
  /** How often the tmux server is asked which sessions still live. */
  livenessMs: number;
}

export const DEFAULT_SESSION_TIMING: SessionTiming = {
  // Claude and Codex quit within a second of /exit on a loaded machine (spike: pane dead at +0.45 s).
  stopGraceMs: 5_000,
  // The spike's 150 ms gap gave exactly one turn every time.
  enterDelayMs: 150,
  // Receipts came within 0.7 s (p50 0.25 s); 5 s covers a loaded machine without making a failure slow.
  confirmMs: 5_000,
  // A crash is noticed within two seconds; one `tmux list-sessions` covers every session.
  livenessMs: 2_000,
};

/** What the session manager needs from the daemon, injected (the signals too, so tests can pass simple ones). */
export interface SessionDeps {
  host: string;
  paths: HomePaths;
  config: Config;
  store: SessionStore;
  /** Wakes SSE streams after every commit. */
  bus: { notify(): void };
  tmux: Tmux;
  agents: AgentRegistry;
  /** The daemon's environment: the base of every agent's environment. */
  env: NodeJS.ProcessEnv;
  now(): Date;
  planLaunch: PlanLaunch;
  startTracker: StartTracker;
  timing?: Partial<SessionTiming>;
  /** Overrides of the watchdog's policy beyond the config file's (tests shorten its clocks). */
  watchdog?: Partial<WatchdogPolicy>;
  /** Announces something about a session on every channel (notification event, inbox, webhooks, hooks); absent in tests that need none. */
  notify?(session: Session, notice: SessionNotice): Promise<void>;
  /** Mints each launch's job token and instruction file (absent in tests that need none). */
  access?: AgentAccess;
}

/** Something a person should hear about a session. */
export interface SessionNotice {
  /** `needs_you`: it waits for permission or input after working; `stuck`: it has waited too long; `alert`: a watcher's pattern matched; `watchdog`: the watchdog acted. */
  kind: 'needs_you' | 'stuck' | 'alert' | 'watchdog';
  title: string;
  body: string;
  level: 'info' | 'warning' | 'error';
}
