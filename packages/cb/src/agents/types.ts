import type { Failure, OutputFormat, PermissionMode, TranscriptEntry, Usage } from '@flotilla/protocol';

/** What one attempt asks of an agent CLI. */
export interface LaunchInput {
  prompt: string;
  model: string | null;
  permissions: PermissionMode;
  cwd: string;
  /** The agent's own session id to continue (resume), or null for a fresh conversation. */
  resumeSessionId: string | null;
  /** Claude's structured final answer (`--json-schema`), already parsed. */
  jsonSchema?: unknown;
  budgetUsd?: number | null;
  /** True when the runner runs as root (Claude's bypass mode then needs IS_SANDBOX=1). */
  isRoot: boolean;
}

/** How the runner starts the agent: an argv, never a shell string. */
export interface AgentLaunch {
  argv: string[];
  /** `null`: stdin is /dev/null (Codex blocks on an open pipe). `text`: written to stdin, then closed. */
  stdin: { kind: 'null' } | { kind: 'text'; text: string };
  /** Agent-specific variables added on top of the attempt's environment. */
  env: Record<string, string>;
  outputFormat: OutputFormat;
}

/** Facts gathered from the agent's output while it runs; updated line by line. */
export interface Progress {
  agentSessionId: string | null;
  model: string | null;
  usage: Usage;
  /** The agent's own cost figure (Claude's total_cost_usd), or null when it reports none. */
  costUsd: number | null;
  /** Final answer text, once a result line arrived. */
  result: string | null;
  /** Whether a final result line arrived at all. */
  sawResult: boolean;
  resultIsError: boolean;
  toolCalls: number;
  /** An early warning, e.g. an api_retry line: `{ kind, message, resetsAt }`. */
  lastWarning: Failure | null;
  /** The last few non-empty lines, kept for `rawTail`. */
  tail: string[];
}

export interface LineAccumulator {
  /** Feed one complete raw output line (without the newline). */
  push(line: string): void;
  progress(): Progress;
}

/** How the attempt's process ended, as recorded by the runner in exit.json. */
export interface ExitRecord {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /**
   * Set when the runner itself stopped the agent: a timeout, the budget, a user's cancel, or
   * `hangup` — the runner was signalled without a cancel request (its pane closed, the host shut down).
   */
  stoppedBy: 'idle_timeout' | 'wall_timeout' | 'budget' | 'cancel' | 'hangup' | null;
  /** The runner's own error, when it could not start the agent at all (e.g. ENOENT). */
  spawnError: string | null;
}

export interface Outcome {
  status: 'succeeded' | 'failed';
  failure: Failure | null;
  result: string | null;
}

export interface ClassifyInput {
  progress: Progress;
  exit: ExitRecord;
  stderrTail: string;
}

export interface CredentialStatus {
  ok: boolean;
  /** Stable, non-secret fingerprint of the credential in use (e.g. `env:ANTHROPIC_API_KEY#ab12cd`). */
  credential: string;
  detail: string;
  /** Exactly what to do when not ok. */
  fix: string | null;
}

export interface AgentAdapter {
  readonly name: string;
  /** Executable name or path used to run it (`claude`, `codex`, or the custom argv[0]). */
  readonly command: string;
  /**
   * True when a resumed conversation reports the whole thread's usage (Codex 0.169 does), so the
   * daemon subtracts what earlier attempts of the same conversation already counted.
   */
  readonly resumeUsageIsCumulative?: boolean;
  /** Usage from the agent's own session transcript, for runs that ended without a result line. */
  usageFromSession?(sessionId: string, env: Readonly<Record<string, string | undefined>>): Usage | null;
  launch(input: LaunchInput): AgentLaunch;
  createAccumulator(): LineAccumulator;
  classify(input: ClassifyInput): Outcome;
  /** Readable transcript entries from the raw event lines of one attempt. */
  transcript(lines: readonly string[]): TranscriptEntry[];
  /** Whether the agent can authenticate in this environment (env = the attempt's variables, home = its HOME). */
  credentialStatus(env: Readonly<Record<string, string | undefined>>, home: string): CredentialStatus;
}
