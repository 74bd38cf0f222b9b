import { EMPTY_USAGE, type Usage } from '@flotilla/protocol';
import type { Progress } from './types.js';

/** A fresh Progress with nothing seen yet. */
export function emptyProgress(): Progress {
  return {
    agentSessionId: null,
    model: null,
    usage: { ...EMPTY_USAGE },
    costUsd: null,
    result: null,
    sawResult: false,
    resultIsError: false,
    toolCalls: 0,
    lastWarning: null,
    tail: [],
  };
}

/** A token count as a non-negative integer (agents' JSON may hold anything). */
export function tokens(value: number | null | undefined): number {
  return Math.max(0, Math.trunc(value ?? 0)) || 0;
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

export function sumUsage(usages: Iterable<Usage>): Usage {
  let total: Usage = { ...EMPTY_USAGE };
  for (const usage of usages) total = addUsage(total, usage);
  return total;
}

/** Field-wise maximum: two views of the same run's tokens, neither known to be complete. */
export function maxUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: Math.max(a.inputTokens, b.inputTokens),
    outputTokens: Math.max(a.outputTokens, b.outputTokens),
    cacheReadTokens: Math.max(a.cacheReadTokens, b.cacheReadTokens),
    cacheWriteTokens: Math.max(a.cacheWriteTokens, b.cacheWriteTokens),
  };
}
