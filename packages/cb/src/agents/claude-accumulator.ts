import { EMPTY_USAGE, type Failure, type Usage } from '@flotilla/protocol';
import type { LineAccumulator, Progress } from './types.js';
import {
  ToolUseBlockSchema,
  contentBlocks,
  errorStrings,
  parseClaudeLine,
  type ClaudeLine,
  type ClaudeModelUsage,
  type ClaudeUsage,
} from './claude-schemas.js';
import { claudeErrorFailure, claudeErrorKind, permissionDeniedFailure } from './claude-outcome.js';
import { epochToIso, parseJsonLine, pushTail } from './lines.js';
import { emptyProgress, maxUsage, sumUsage, tokens } from './usage.js';

type LineOf<T extends ClaudeLine['type']> = Extract<ClaudeLine, { type: T }>;

/** The model name Claude uses for its own error messages. */
const SYNTHETIC_MODEL = '<synthetic>';

export interface ClaudeAccumulatorOptions {
  /** Clock for turning an api_retry delay into a reset time (tests inject one). */
  now?: () => number;
}

export function toUsage(usage: ClaudeUsage | null | undefined): Usage {
  return {
    inputTokens: tokens(usage?.input_tokens),
    outputTokens: tokens(usage?.output_tokens),
    cacheReadTokens: tokens(usage?.cache_read_input_tokens),
    cacheWriteTokens: tokens(usage?.cache_creation_input_tokens),
  };
}

/** Sum of `modelUsage` (per model, including side models such as a Task subagent's). */
export function modelUsageTotal(modelUsage: ClaudeModelUsage | undefined): Usage {
  return sumUsage(
    Object.values(modelUsage ?? {}).map((m) =>
      toUsage({
        input_tokens: m.inputTokens,
        output_tokens: m.outputTokens,
        cache_read_input_tokens: m.cacheReadInputTokens,
        cache_creation_input_tokens: m.cacheCreationInputTokens,
      }),
    ),
  );
}

/** An api_retry line as an early warning: what failed, and when the next attempt is due. */
export function retryWarning(line: LineOf<'system'>, now: number): Failure {
  const status = line.error_status ?? null;
  const category = line.error ?? 'unknown';
  const facts = { subtype: null, apiErrorStatus: status, text: category, errorCategory: category, resetsAt: null };
  const kind = claudeErrorKind(facts);
  const delay = line.retry_delay_ms ?? null;
  const attempt = `${line.attempt ?? '?'}/${line.max_retries ?? '?'}`;
  const next = delay === null ? '' : `, next try in ${(delay / 1000).toFixed(1)}s`;
  const failure: Failure = {
    // A retried error the CLI cannot name (`unknown`, status null) is a connection problem.
    kind: kind === 'task' ? 'overloaded' : kind,
    message: `API retry ${attempt}: ${category}${status === null ? '' : ` (${status})`}${next}`,
    httpStatus: status,
  };
  if (failure.kind === 'rate_limited' && delay !== null) failure.resetsAt = new Date(now + delay).toISOString();
  return failure;
}

interface ClaudeState {
  progress: Progress;
  now: () => number;
  /** Latest usage snapshot per message id (each content block repeats it). */
  usageByMessage: Map<string, Usage>;
  toolIds: Set<string>;
  resultUsage: Usage;
  initModel: string | null;
  /** `error` of the synthetic assistant message that precedes an error result. */
  errorCategory: string | null;
  /** From a `rate_limit_event` with status `rejected`. */
  rejectedResetsAt: string | null;
}

function onSystem(state: ClaudeState, line: LineOf<'system'>): void {
  const { progress } = state;
  if (line.session_id) progress.agentSessionId = line.session_id;
  if (line.subtype === 'init' && line.model) {
    state.initModel = line.model;
    progress.model ??= line.model;
  }
  if (line.subtype === 'api_retry') progress.lastWarning = retryWarning(line, state.now());
}

function onAssistant(state: ClaudeState, line: LineOf<'assistant'>): void {
  const { message } = line;
  if (line.session_id) state.progress.agentSessionId = line.session_id;
  if (message.model === SYNTHETIC_MODEL) {
    state.errorCategory = line.error ?? state.errorCategory;
    return;
  }
  if (message.model) state.progress.model = message.model;
  if (message.id && message.usage) {
    const previous = state.usageByMessage.get(message.id) ?? { ...EMPTY_USAGE };
    state.usageByMessage.set(message.id, maxUsage(previous, toUsage(message.usage)));
  }
  for (const block of contentBlocks(message.content)) {
    const tool = ToolUseBlockSchema.safeParse(block);
    if (tool.success) state.toolIds.add(tool.data.id);
  }
  state.progress.toolCalls = state.toolIds.size;
}

function onRateLimit(state: ClaudeState, line: LineOf<'rate_limit_event'>): void {
  const info = line.rate_limit_info;
  const resetsAt = epochToIso(info.resetsAt);
  if (info.status === 'rejected') state.rejectedResetsAt = resetsAt ?? state.rejectedResetsAt;
  if (info.status === 'allowed' || !info.status) return;
  const used = typeof info.utilization === 'number' ? ` at ${Math.round(info.utilization * 100)}%` : '';
  const window = info.rateLimitType ? ` (${info.rateLimitType})` : '';
  state.progress.lastWarning = { kind: 'rate_limited', message: `rate limit ${info.status}${used}${window}`, resetsAt };
}

function onResult(state: ClaudeState, line: LineOf<'result'>): void {
  const { progress } = state;
  progress.sawResult = true;
  progress.resultIsError = line.is_error === true;
  if (line.session_id) progress.agentSessionId = line.session_id;
  const errors = errorStrings(line.errors);
  progress.result = line.result ?? (errors.length > 0 ? errors.join('\n') : null);
  if (typeof line.total_cost_usd === 'number') progress.costUsd = line.total_cost_usd;
  state.resultUsage = maxUsage(toUsage(line.usage), modelUsageTotal(line.modelUsage));
  progress.model ??= state.initModel;
  const denials = line.permission_denials ?? [];
  if (progress.resultIsError) {
    progress.lastWarning = claudeErrorFailure({
      subtype: line.subtype ?? null,
      apiErrorStatus: line.api_error_status ?? null,
      text: progress.result ?? line.subtype ?? '',
      errorCategory: state.errorCategory,
      resetsAt: state.rejectedResetsAt,
    });
  } else if (denials.length > 0) {
    progress.lastWarning = permissionDeniedFailure(denials);
  }
}

function dispatch(state: ClaudeState, line: ClaudeLine): void {
  switch (line.type) {
    case 'system':
      return onSystem(state, line);
    case 'assistant':
      return onAssistant(state, line);
    case 'rate_limit_event':
      return onRateLimit(state, line);
    case 'result':
      return onResult(state, line);
    case 'user':
      return;
  }
}

/**
 * Reads Claude's stream-json line by line. Usage is deduplicated by message id while the run is
 * going (assistant lines repeat a message_start snapshot per content block) and replaced by the
 * result line's totals at the end. After the result line, `lastWarning` holds the failure that line
 * reports (an error, or permission denials), so `classify` needs nothing but the Progress.
 */
export function createClaudeAccumulator(options: ClaudeAccumulatorOptions = {}): LineAccumulator {
  const state: ClaudeState = {
    progress: emptyProgress(),
    now: options.now ?? Date.now,
    usageByMessage: new Map(),
    toolIds: new Set(),
    resultUsage: { ...EMPTY_USAGE },
    initModel: null,
    errorCategory: null,
    rejectedResetsAt: null,
  };
  return {
    push(raw: string): void {
      pushTail(state.progress.tail, raw);
      const line = parseClaudeLine(parseJsonLine(raw));
      if (line) dispatch(state, line);
    },
    progress(): Progress {
      const usage = maxUsage(sumUsage(state.usageByMessage.values()), state.resultUsage);
      return { ...state.progress, usage, tail: [...state.progress.tail] };
    },
  };
}
