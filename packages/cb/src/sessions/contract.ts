/**
 * The seam between the session manager (lifecycle, store, API, CLI) and the agent signals (how an
 * agent's interactive UI is launched with its hooks wired in, and how its state is tracked). See
 * docs/session-signals.md for which signals fire and how fast.
 */
import type { Tmux } from '@flotilla/kit/tmux';
import type { SessionKind, SessionState, SessionStateSource } from '@flotilla/protocol';

/** What is needed to start an agent's own interactive UI with its state signals wired in. */
export interface LaunchRequest {
  /** Flotilla's session id (a ULID); also passed to the agent as FLOTILLA_SESSION_ID. */
  sessionId: string;
  /** `claude`, `codex`, or a custom agent (screen-only tracking). */
  agent: string;
  model: string | null;
  cwd: string;
  /** The session's private directory (0700) under FLOTILLA_HOME: generated settings, hook log. */
  dir: string;
  /** The agent's own conversation to resume (after a crash or restart), if any. */
  resumeAgentSessionId: string | null;
  /** `watcher`: run `command` instead of an agent (default `agent`). */
  kind?: SessionKind;
  /** A watcher's argv. */
  command?: string[] | null;
}

export interface LaunchPlan {
  /** The command to run in the tmux pane. */
  argv: string[];
  /** Variables to add to the agent's environment. */
  env: Record<string, string>;
  /** Files to write (inside `dir`) before launching, e.g. a Claude `--settings` file with hooks. */
  files: { path: string; content: string; mode: number }[];
}

export type PlanLaunch = (request: LaunchRequest) => LaunchPlan;

export interface StateChange {
  state: SessionState;
  source: SessionStateSource;
  /** When the signal happened (ISO), not when it was read. */
  at: string;
  /** What a `waiting_permission` session asks, or until when a `rate_limited` one waits. */
  waitingFor: string | null;
  /** The agent's own conversation id when the signal carried one (it changes on Claude's /clear). */
  agentSessionId?: string | null;
  /** Why the last turn failed, when a signal said so (Claude `StopFailure`: `rate_limit: API Error: …`). */
  error?: string | null;
}

export interface PromptReceipt {
  confirmedBy: 'hook' | 'transcript' | 'screen';
  /** When the agent took the prompt (ISO). */
  at: string;
}

export interface StateTracker {
  current(): StateChange;
  /**
   * Resolves when a prompt with this text (compared after expanding tabs and trimming) was
   * submitted or queued at or after `sinceMs` (epoch ms), or null after `timeoutMs`.
   */
  waitForPrompt(text: string, sinceMs: number, timeoutMs: number): Promise<PromptReceipt | null>;
  /** Whether such a prompt was already submitted or queued since `sinceMs` — checked before any retry. */
  promptSeen(text: string, sinceMs: number): Promise<boolean>;
  stop(): void;
}

export interface TrackerOptions {
  sessionId: string;
  agent: string;
  cwd: string;
  dir: string;
  tmux: Tmux;
  tmuxSession: string;
  /** The agent's HOME (where `~/.claude/sessions` is); default: this process's HOME. */
  home?: string;
  /** The state the session had when the tracker (re)starts, e.g. after a daemon restart. */
  initial: StateChange | null;
  onChange: (change: StateChange) => void;
  /** A line of output matched one of the session's alert patterns (watcher sessions). */
  onAlert?: (alert: SessionAlert) => void;
  /** `watcher`: a command whose output is matched against `alerts` (default `agent`). */
  kind?: SessionKind;
  /** A watcher's alert patterns (JavaScript regular expressions, validated at creation). */
  alerts?: string[];
  /** A watcher's argv. */
  command?: string[] | null;
}

/** A watcher's output line that matched an alert pattern, with the lines around it. */
export interface SessionAlert {
  /** The pattern (as given with `--alert`) that matched. */
  pattern: string;
  line: string;
  /** The surrounding lines, the matching one included, oldest first. */
  context: string[];
  at: string;
  /** How many lines matched in this alert (a burst is one alert); 1 when absent. */
  count?: number;
}

export type StartTracker = (options: TrackerOptions) => StateTracker;
