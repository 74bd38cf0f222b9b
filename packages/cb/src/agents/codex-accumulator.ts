import type { Failure, Usage } from '@flotilla/protocol';
import type { ClassifyInput, LineAccumulator, Outcome, Progress } from './types.js';
import {
  AgentMessageItemSchema,
  CODEX_TOOL_ITEM_TYPES,
  ErrorItemSchema,
  isModelMetadataNotice,
  modelFromMetadataNotice,
  parseCodexLine,
  type CodexItem,
  type CodexLine,
  type CodexUsage,
} from './codex-schemas.js';
import { classifyWithoutResult, type AgentIdentity } from './exit-outcome.js';
import { classifyFailureText, statusFromText } from './failure-text.js';
import { parseJsonLine, pushTail, truncate } from './lines.js';
import { addUsage, emptyProgress, tokens } from './usage.js';

export const CODEX_IDENTITY: AgentIdentity = {
  command: 'codex',
  installHint: 'Install it with `npm i -g @openai/codex` (check with `codex --version`).',
};

/**
 * A Codex error message as a failure, by the regexes of agent-clis.md §7. `stream disconnected` /
 * `idle timeout` count as `overloaded` (transient provider trouble, retried without using an
 * attempt); an unrecognised message is the task's own error.
 */
export function codexFailure(message: string): Failure {
  return {
    kind: classifyFailureText(message) ?? 'task',
    message: truncate(message, 1_000),
    httpStatus: statusFromText(message),
  };
}

/**
 * Codex's turn usage. OpenAI counts cached tokens inside `input_tokens`; Usage.inputTokens is the
 * uncached part (as with Claude), so a price table can treat both agents alike.
 */
export function codexUsage(usage: CodexUsage | null | undefined): Usage {
  const input = tokens(usage?.input_tokens);
  const cached = tokens(usage?.cached_input_tokens);
  return {
    inputTokens: Math.max(0, input - cached),
    outputTokens: tokens(usage?.output_tokens),
    cacheReadTokens: cached,
    cacheWriteTokens: tokens(usage?.cache_write_input_tokens),
  };
}

interface CodexState {
  progress: Progress;
  toolIds: Set<string>;
  lastMessage: string | null;
}

function fail(state: CodexState, message: string): void {
  state.progress.sawResult = true;
  state.progress.resultIsError = true;
  state.progress.result = message;
  state.progress.lastWarning = codexFailure(message);
}

function onItem(state: CodexState, item: CodexItem, completed: boolean): void {
  const { progress } = state;
  if (CODEX_TOOL_ITEM_TYPES.has(item.type)) state.toolIds.add(item.id ?? `#${state.toolIds.size}`);
  progress.toolCalls = state.toolIds.size;
  if (!completed) return;
  const message = AgentMessageItemSchema.safeParse(item);
  if (message.success) state.lastMessage = message.data.text;
  const error = ErrorItemSchema.safeParse(item);
  if (!error.success) return;
  if (isModelMetadataNotice(error.data.message)) progress.model ??= modelFromMetadataNotice(error.data.message);
  else progress.lastWarning = codexFailure(error.data.message);
}

/** A top-level `error`: `Reconnecting… N/M (…)` is a retry in progress (a warning); anything else ends the turn. */
function onError(state: CodexState, message: string): void {
  if (!/^reconnecting/i.test(message.trim())) return fail(state, message);
  state.progress.lastWarning = { ...codexFailure(message), kind: classifyFailureText(message) ?? 'overloaded' };
}

function dispatch(state: CodexState, line: CodexLine): void {
  const { progress } = state;
  switch (line.type) {
    case 'thread.started':
      progress.agentSessionId = line.thread_id ?? progress.agentSessionId;
      return;
    case 'item.started':
    case 'item.updated':
    case 'item.completed':
      return onItem(state, line.item, line.type === 'item.completed');
    case 'turn.completed':
      progress.usage = addUsage(progress.usage, codexUsage(line.usage));
      progress.sawResult = true;
      progress.resultIsError = false;
      progress.result = state.lastMessage;
      return;
    case 'turn.failed':
      return fail(state, line.error?.message ?? 'turn failed');
    case 'error':
      return onError(state, line.message ?? 'error');
    case 'turn.started':
      return;
  }
}

/**
 * Reads `codex exec --json` line by line. `turn.completed` is the result (its answer is the last
 * agent message); `turn.failed`, or a top-level `error` that is not a `Reconnecting…` notice, is an
 * error result whose failure is left in `lastWarning`. costUsd stays null: the daemon prices tokens.
 * Usage is summed over `turn.completed` lines; note that after `codex exec resume` the CLI reports
 * the thread's cumulative usage, including earlier runs (observed with 0.169.0).
 */
export function createCodexAccumulator(): LineAccumulator {
  const state: CodexState = { progress: emptyProgress(), toolIds: new Set(), lastMessage: null };
  return {
    push(raw: string): void {
      pushTail(state.progress.tail, raw);
      const line = parseCodexLine(parseJsonLine(raw));
      if (line) dispatch(state, line);
    },
    progress: (): Progress => ({ ...state.progress, usage: { ...state.progress.usage }, tail: [...state.progress.tail] }),
  };
}

/** Codex's outcome: the turn's end decides; without one, the exit does. */
export function classifyCodex(input: ClassifyInput, identity: AgentIdentity = CODEX_IDENTITY): Outcome {
  const { progress } = input;
  if (!progress.sawResult) return classifyWithoutResult(input, identity);
  if (!progress.resultIsError) return { status: 'succeeded', failure: null, result: progress.result };
  return { status: 'failed', failure: progress.lastWarning ?? codexFailure(progress.result ?? ''), result: null };
}
