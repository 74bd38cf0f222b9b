/**
 * Hook lines (`<session dir>/hooks.jsonl`, written by record-hook) → state signals. Pure: parsing
 * with zod at the boundary (anything unknown is ignored, never thrown) and the mapping of
 * docs/session-signals.md §5 for Claude Code and Codex.
 */
import { z } from 'zod';
import type { SessionState } from '@flotilla/protocol';

/** One line of hooks.jsonl as the recorder writes it. */
export const HookRecordSchema = z.object({ at: z.number(), event: z.string(), payload: z.unknown() });
export type HookRecord = z.infer<typeof HookRecordSchema>;

/** The payload fields the tracker reads; every hook carries a subset, extra fields pass through. */
const HookPayloadSchema = z.looseObject({
  session_id: z.string().optional(),
  // Codex only; anything but a string is no turn id (never a reason to drop the payload).
  turn_id: z.unknown().optional(),
  transcript_path: z.string().nullish(),
  prompt: z.string().optional(),
  source: z.string().optional(),
  reason: z.string().optional(),
  trigger: z.string().nullish(),
  tool_name: z.string().optional(),
  tool_input: z.unknown().optional(),
  error: z.unknown().optional(),
  status: z.string().optional(),
  notification_type: z.string().optional(),
  last_assistant_message: z.string().nullish(),
});
type HookPayload = z.infer<typeof HookPayloadSchema>;

/** What one hook says: a state (or none), plus facts the tracker keeps (receipts, ids, files). */
export interface HookSignal {
  at: number;
  event: string;
  state: SessionState | null;
  waitingFor: string | null;
  /** Why the turn failed (Claude `StopFailure`, Codex failed model request). */
  error: string | null;
  /** The agent's own conversation id, when the payload carried one. */
  agentSessionId: string | null;
  /** The turn the hook belongs to (Codex's `turn_id`), when the payload carried one. */
  turnId: string | null;
  /** The tool call a PreToolUse/PostToolUse is about, e.g. `Bash: ls` (the detail a permission question shows). */
  toolRequest: string | null;
  /** The submitted prompt (UserPromptSubmit), for receipts. */
  prompt: string | null;
  transcriptPath: string | null;
}

/** Parses one line; null for anything that is not a hook record (never throws). */
export function parseHookLine(line: string): HookRecord | null {
  if (line.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = HookRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** `Bash: rm -rf build`: what a permission question asks. */
export function describeToolRequest(toolName: string | undefined, toolInput: unknown): string {
  const name = toolName ?? 'tool';
  const input = (toolInput ?? {}) as Record<string, unknown>;
  const detail = [input.command, input.cmd, input.file_path, input.path, input.url, input.description].find(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  const text = detail ?? (toolInput === undefined ? '' : JSON.stringify(toolInput));
  return text === '' ? name : `${name}: ${text.replace(/\s+/g, ' ').slice(0, 300)}`;
}

function errorText(error: unknown, lastMessage: string | null | undefined): string {
  const kind = typeof error === 'string' ? error : error === undefined ? 'error' : JSON.stringify(error);
  return lastMessage ? `${kind}: ${lastMessage.slice(0, 300)}` : kind;
}

type StateOf = (payload: HookPayload, previous: SessionState) => Pick<HookSignal, 'state' | 'waitingFor' | 'error'> | null;

const to = (state: SessionState, waitingFor: string | null = null, error: string | null = null) => ({ state, waitingFor, error });

/** Compaction inside a turn (`auto`) goes on working; a `/compact` (`manual`) ends waiting for input. */
const afterCompact: StateOf = (p) => to(p.trigger === 'auto' ? 'working' : 'waiting_input');

const CLAUDE_STATES: Record<string, StateOf> = {
  UserPromptSubmit: () => to('working'),
  PreToolUse: () => to('working'),
  PostToolUse: () => to('working'),
  Stop: () => to('waiting_input'),
  StopFailure: (p) => to('waiting_input', null, errorText(p.error, p.last_assistant_message)),
  PermissionRequest: (p) => to('waiting_permission', describeToolRequest(p.tool_name, p.tool_input)),
  PreCompact: () => to('compacting'),
  PostCompact: afterCompact,
  SessionStart: (p, previous) => {
    if (p.source === 'compact') return previous === 'compacting' ? to('waiting_input') : null;
    if (p.source === 'clear') return to('idle');
    return previous === 'unknown' || previous === 'exited' ? to('idle') : null;
  },
  // `/clear` ends the old conversation only: the session goes on, idle, and the SessionStart that
  // follows brings the new conversation's id.
  SessionEnd: (p) => (p.reason === 'clear' ? to('idle') : to('exited')),
  // Late (6 s / 60 s) but a backstop for a missed edge.
  Notification: (p, previous) => {
    if (previous !== 'working') return null;
    if (p.notification_type === 'permission_prompt') return to('waiting_permission', 'permission prompt');
    return p.notification_type === 'idle_prompt' ? to('waiting_input') : null;
  },
};

const TOOL_EVENTS = new Set(['PreToolUse', 'PostToolUse']);

const RATE_LIMITED = /429|rate.?limit|too many requests/i;

const CODEX_STATES: Record<string, StateOf> = {
  UserPromptSubmit: () => to('working'),
  PreToolUse: () => to('working'),
  PostToolUse: () => to('working'),
  Stop: () => to('waiting_input'),
  Interrupt: () => to('waiting_input'),
  PermissionRequest: (p) => to('waiting_permission', describeToolRequest(p.tool_name, p.tool_input)),
  PreCompact: () => to('compacting'),
  PostCompact: afterCompact,
  PostModelRequest: (p, previous) => {
    const error = p.error === undefined || p.error === null ? null : String(typeof p.error === 'string' ? p.error : JSON.stringify(p.error));
    if (p.status === 'failed' && error !== null && RATE_LIMITED.test(error)) return to('rate_limited', null, error.slice(0, 300));
    return previous === 'rate_limited' && p.status !== 'failed' ? to('working') : null;
  },
  // The new thread's SessionStart comes with its first prompt, so it says nothing about the state.
  SessionStart: () => null,
  SessionEnd: () => to('exited'),
};

/**
 * What a hook record means for a session of `agent` currently in `previous`. Unknown events and
 * payloads that do not fit the schema give a signal without a state.
 *
 * @example
 * hookSignal('claude', { at, event: 'PermissionRequest', payload: { tool_name: 'Bash', tool_input: { command: 'ls' } } }, 'working')
 * // → { state: 'waiting_permission', waitingFor: 'Bash: ls', … }
 */
export function hookSignal(agent: string, record: HookRecord, previous: SessionState): HookSignal {
  const parsed = HookPayloadSchema.safeParse(record.payload ?? {});
  const payload: HookPayload = parsed.success ? parsed.data : {};
  const table = agent === 'codex' ? CODEX_STATES : CLAUDE_STATES;
  const mapped = parsed.success ? (table[record.event]?.(payload, previous) ?? null) : null;
  return {
    at: record.at,
    event: record.event,
    state: mapped?.state ?? null,
    waitingFor: mapped?.waitingFor ?? null,
    error: mapped?.error ?? null,
    // The ending conversation's id is not the session's any more.
    agentSessionId: record.event === 'SessionEnd' ? null : (payload.session_id ?? null),
    turnId: typeof payload.turn_id === 'string' && payload.turn_id !== '' ? payload.turn_id : null,
    toolRequest: TOOL_EVENTS.has(record.event) ? describeToolRequest(payload.tool_name, payload.tool_input) : null,
    prompt: record.event === 'UserPromptSubmit' ? (payload.prompt ?? null) : null,
    transcriptPath: payload.transcript_path ?? null,
  };
}
