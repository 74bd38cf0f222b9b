import type { Failure, FailureKind } from '@flotilla/protocol';
import type { ClassifyInput, Outcome } from './types.js';
import type { PermissionDenial } from './claude-schemas.js';
import { classifyWithoutResult, type AgentIdentity } from './exit-outcome.js';
import { classifyFailureText, resetFromText, statusFromText } from './failure-text.js';
import { truncate } from './lines.js';

export const CLAUDE_IDENTITY: AgentIdentity = {
  command: 'claude',
  installHint: 'Install it with `npm i -g @anthropic-ai/claude-code` (check with `claude --version`).',
};

/** Everything the final `result` line (and the lines just before it) say about an error. */
export interface ClaudeErrorFacts {
  subtype: string | null;
  apiErrorStatus: number | null;
  /** The result text, or the joined `errors[]` when there is none. */
  text: string;
  /** The synthetic assistant message's `error` category (`rate_limit`, `billing_error`, …). */
  errorCategory: string | null;
  /** From a `rate_limit_event` with status `rejected`. */
  resetsAt: string | null;
}

/** Claude's `error` categories (agent-clis.md §4), as failure kinds. */
const CATEGORY_KINDS: Readonly<Record<string, FailureKind>> = {
  rate_limit: 'rate_limited',
  authentication_failed: 'auth_failed',
  oauth_org_not_allowed: 'auth_failed',
  billing_error: 'billing',
  model_not_found: 'model_not_found',
  server_error: 'overloaded',
  overloaded: 'overloaded',
  max_output_tokens: 'task',
};

function kindFromStatus(status: number | null): FailureKind | null {
  if (status === null) return null;
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth_failed';
  if (status === 402) return 'billing';
  if (status === 404) return 'model_not_found';
  if (status === 413) return 'context_overflow';
  if (status >= 500) return 'overloaded';
  return null;
}

/**
 * The failure kind of an `is_error:true` result. Run limits come first (`error_max_budget_usd` is
 * `budget_exceeded`: the cap is the job's own `--budget-usd`, so retrying cannot help), then a
 * context overflow, then the structured category and status, then the text; anything left is `task`.
 */
export function claudeErrorKind(facts: ClaudeErrorFacts): FailureKind {
  if (facts.subtype === 'error_max_budget_usd') return 'budget_exceeded';
  if (facts.subtype === 'error_max_turns' || facts.subtype === 'error_max_structured_output_retries') return 'task';
  const textKind = classifyFailureText(facts.text);
  if (textKind === 'context_overflow') return textKind;
  const categoryKind = facts.errorCategory ? CATEGORY_KINDS[facts.errorCategory] : undefined;
  return categoryKind ?? kindFromStatus(facts.apiErrorStatus) ?? textKind ?? 'task';
}

/** The failure an `is_error:true` result reports. */
export function claudeErrorFailure(facts: ClaudeErrorFacts): Failure {
  const kind = claudeErrorKind(facts);
  const message = truncate(facts.text || facts.subtype || 'Claude reported an error', 1_000);
  const failure: Failure = { kind, message, httpStatus: facts.apiErrorStatus ?? statusFromText(facts.text) };
  if (kind === 'rate_limited') failure.resetsAt = facts.resetsAt ?? resetFromText(facts.text);
  return failure;
}

function describeDenial(denial: PermissionDenial): string {
  const input = denial.tool_input && typeof denial.tool_input === 'object' ? denial.tool_input : {};
  const record = input as Record<string, unknown>;
  const target = [record.file_path, record.command, record.path, record.url].find((v) => typeof v === 'string');
  const tool = denial.tool_name ?? 'a tool';
  return typeof target === 'string' ? `${tool} ${truncate(target, 120)}` : tool;
}

/** The run finished but Claude was refused tools it asked for: the task is blocked. */
export function permissionDeniedFailure(denials: readonly PermissionDenial[]): Failure {
  const list = denials.map(describeDenial);
  return {
    kind: 'permission_denied',
    message: `Claude was denied permission for ${list.join(', ')} (use --permissions accept-edits or bypass, or allow the tools)`,
  };
}

/**
 * Claude's outcome (agent-clis.md §8): the result line decides when there is one; the accumulator
 * leaves that line's verdict in `lastWarning`. Without a result line the exit decides.
 */
export function classifyClaude(input: ClassifyInput, identity: AgentIdentity = CLAUDE_IDENTITY): Outcome {
  const { progress } = input;
  if (!progress.sawResult) return classifyWithoutResult(input, identity);
  if (!progress.resultIsError) {
    if (progress.lastWarning?.kind === 'permission_denied') {
      return { status: 'failed', failure: progress.lastWarning, result: progress.result };
    }
    return { status: 'succeeded', failure: null, result: progress.result };
  }
  const failure =
    progress.lastWarning ??
    claudeErrorFailure({
      subtype: null,
      apiErrorStatus: null,
      text: progress.result ?? '',
      errorCategory: null,
      resetsAt: null,
    });
  return { status: 'failed', failure, result: null };
}
