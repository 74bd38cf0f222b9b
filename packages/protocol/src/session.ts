import { z } from 'zod';
import { AgentNameSchema, HostNameSchema, IdSchema, TimestampSchema } from './common.js';
import { WorktreeSchema } from './job.js';

/**
 * What a long-lived session is doing. `waiting_input`: a turn finished and nothing was sent since;
 * `waiting_permission`: it asks to run a tool (`waitingFor` says what); `idle`: no turn yet since
 * start or `/clear`; `unknown`: no source can tell (yet).
 */
export const SESSION_STATES = ['working', 'waiting_input', 'waiting_permission', 'idle', 'compacting', 'rate_limited', 'exited', 'unknown'] as const;
export const SessionStateSchema = z.enum(SESSION_STATES);
export type SessionState = z.infer<typeof SessionStateSchema>;

/** Where a state came from, best first: the agent's own signals, then the screen. */
export const SESSION_STATE_SOURCES = ['hook', 'session-file', 'claude-agents', 'codex-notify', 'app-server', 'screen', 'process', 'watchdog', 'cb'] as const;
export const SessionStateSourceSchema = z.enum(SESSION_STATE_SOURCES);
export type SessionStateSource = z.infer<typeof SessionStateSourceSchema>;

/** A session name: what users type in `cb attach NAME`. */
export const SessionNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'session names are letters, digits, ".", "_" and "-" (up to 63), starting with a letter or digit');

/** `agent`: an agent's own interactive UI; `watcher`: any command whose output is watched for alert patterns. */
export const SessionKindSchema = z.enum(['agent', 'watcher']);
export type SessionKind = z.infer<typeof SessionKindSchema>;

export const SessionSchema = z.object({
  id: IdSchema,
  name: SessionNameSchema,
  host: HostNameSchema,
  kind: SessionKindSchema,
  /** The agent (`claude`, `codex`, a custom one), or `command` for a watcher. */
  agent: z.string().min(1),
  model: z.string().nullable(),
  cwd: z.string(),
  worktree: WorktreeSchema.nullable(),
  /** A watcher's command line (argv), null for agent sessions. */
  command: z.array(z.string()).nullable(),
  /** Regular expressions (JavaScript syntax) that raise an alert when a line of output matches. */
  alerts: z.array(z.string()),
  state: SessionStateSchema,
  /** When the session entered `state`. */
  since: TimestampSchema,
  source: SessionStateSourceSchema,
  /** In `waiting_permission`: what it asks (e.g. `Bash: rm -rf build`); in `rate_limited`: until when. */
  waitingFor: z.string().nullable(),
  /** The tmux session on Flotilla's own server; when `tmuxSocket` is set, the pane id (`%3`) on that server. */
  tmuxSession: z.string(),
  /**
   * The user's own tmux server (`tmux -L <name>`) of a session started outside Flotilla (discovered,
   * or adopted with `cb session adopt`); absent or null: Flotilla's own server.
   */
  tmuxSocket: z.string().nullable().optional(),
  /** The agent's process id while it runs. */
  pid: z.number().int().nullable(),
  /** The agent's own conversation id (Claude session id, Codex thread id), used to resume it. */
  agentSessionId: z.string().nullable(),
  /** Started outside Flotilla and shown read-only until adopted. */
  external: z.boolean(),
  restarts: z.number().int().nonnegative(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  endedAt: TimestampSchema.nullable(),
});
export type Session = z.infer<typeof SessionSchema>;

/**
 * Why an alert pattern cannot be used, or null: it must be a valid JavaScript regular expression
 * (no slashes, no flags: `FAIL|Error`, `[Ee]rror:`) that does not match an empty line (it would
 * match every line).
 * @example alertPatternProblem('FAIL|(') // 'alert pattern "FAIL|(" is not a valid regular expression: …'
 */
export function alertPatternProblem(pattern: string): string | null {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (error) {
    return `alert pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${(error as Error).message}`;
  }
  if (regex.test('')) return `alert pattern ${JSON.stringify(pattern)} matches an empty line, so every line would raise an alert`;
  return null;
}

export const AlertPatternSchema = z.string().superRefine((pattern, ctx) => {
  const problem = alertPatternProblem(pattern);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const CreateSessionRequestSchema = z.object({
  name: SessionNameSchema,
  agent: AgentNameSchema.default('claude'),
  model: z.string().min(1).optional(),
  cwd: z.string().min(1),
  worktree: z.boolean().default(false),
  /** Makes it a watcher session running this argv instead of an agent. */
  command: z.array(z.string()).min(1).optional(),
  /** A watcher's alert patterns; each must compile and must not match an empty line. */
  alerts: z.array(AlertPatternSchema).default([]),
});
export type CreateSessionRequest = z.input<typeof CreateSessionRequestSchema>;

/** Keys `cb send --key` may press; anything else is text and goes in by bracketed paste. */
export const SESSION_KEYS = ['Escape', 'Enter', 'C-c', 'Tab', 'Up', 'Down'] as const;
export const SessionKeySchema = z.enum(SESSION_KEYS);

export const SendRequestSchema = z.union([
  z.object({ text: z.string().min(1).max(100_000) }),
  z.object({ key: SessionKeySchema }),
]);
export type SendRequest = z.infer<typeof SendRequestSchema>;

/** How a delivery was confirmed, or why it failed. */
export const SendReceiptSchema = z.object({
  delivered: z.boolean(),
  /** What confirmed it: `hook` (prompt-submit), `transcript`, `screen`; null when not confirmed. */
  confirmedBy: z.enum(['hook', 'transcript', 'screen']).nullable(),
  attempts: z.number().int().positive(),
  ms: z.number().nonnegative(),
  error: z.string().nullable(),
});
export type SendReceipt = z.infer<typeof SendReceiptSchema>;

export const AnswerRequestSchema = z.object({ answer: z.enum(['yes', 'no']) });
export type AnswerRequest = z.infer<typeof AnswerRequestSchema>;

export const AnswerSchema = z.enum(['yes', 'no']);
export type Answer = z.infer<typeof AnswerSchema>;

/** `GET /api/sessions`: live sessions, or with `all` the ended ones too. */
export const SessionListQuerySchema = z.object({ all: z.boolean().optional() });
export type SessionListQuery = z.infer<typeof SessionListQuerySchema>;

/** Peek returns at most this many lines (the screen plus scrollback). */
export const MAX_PEEK_LINES = 10_000;

export const PeekSchema = z.object({ name: z.string(), lines: z.array(z.string()), state: SessionStateSchema, at: TimestampSchema });
export type Peek = z.infer<typeof PeekSchema>;

/** One line of `cb session log NAME`: a state change, an alert, or something the watchdog did. */
export const SessionLogEntrySchema = z.object({
  at: TimestampSchema,
  sessionId: IdSchema,
  kind: z.enum(['state', 'alert', 'watchdog', 'send', 'lifecycle']),
  message: z.string(),
});
export type SessionLogEntry = z.infer<typeof SessionLogEntrySchema>;

/** Live states: everything but `exited`. */
export function isSessionLive(state: SessionState): boolean {
  return state !== 'exited';
}
