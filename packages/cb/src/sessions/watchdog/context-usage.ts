/**
 * How full a session's context is, from the agent's own transcript: the input side of its last
 * model request (plus that request's output), against the model's context window. A compaction
 * boundary written after it means the context was just compacted and is small again.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { findClaudeTranscript } from '../signals/claude-session-file.js';

export interface ContextUsage {
  tokens: number;
  window: number;
  /** 0–100, rounded down. */
  percent: number;
  transcript: string;
}

/** Claude's window for ordinary models; a `[1m]` model has a million. */
export const CLAUDE_CONTEXT_WINDOW = 200_000;
/** Only the end of a transcript is read: the last request's usage is there. */
const TAIL_BYTES = 512 * 1024;

interface ClaudeLine {
  type?: unknown;
  subtype?: unknown;
  message?: { usage?: Record<string, unknown> };
}

function readTail(path: string): string {
  const size = statSync(path).size;
  const length = Math.min(size, TAIL_BYTES);
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const text = buffer.toString('utf8');
  // A tail starting mid-line drops that partial line.
  return length < size ? text.slice(text.indexOf('\n') + 1) : text;
}

function parse(line: string): ClaudeLine | null {
  if (!line.startsWith('{')) return null;
  try {
    return JSON.parse(line) as ClaudeLine;
  } catch {
    return null;
  }
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Tokens in context after the last request of a Claude transcript, or null when unknown / just compacted. */
export function claudeContextTokens(text: string): number | null {
  let tokens: number | null = null;
  for (const raw of text.split('\n')) {
    const line = parse(raw);
    if (!line) continue;
    if (line.type === 'system' && line.subtype === 'compact_boundary') tokens = null;
    const usage = line.type === 'assistant' ? line.message?.usage : undefined;
    if (!usage) continue;
    tokens = num(usage.input_tokens) + num(usage.cache_read_input_tokens) + num(usage.cache_creation_input_tokens) + num(usage.output_tokens);
  }
  return tokens;
}

export function contextWindowOf(model: string | null, configured: number | undefined): number {
  if (configured) return configured;
  return model?.includes('[1m]') ? 1_000_000 : CLAUDE_CONTEXT_WINDOW;
}

/**
 * The context usage of a Claude session's conversation; null for other agents, before the first
 * request, right after a compaction, or when the transcript cannot be read.
 */
export async function sessionContextUsage(
  session: { agent: string; model: string | null; agentSessionId: string | null },
  home: string,
  configuredWindow?: number,
): Promise<ContextUsage | null> {
  if (session.agent !== 'claude' || !session.agentSessionId) return null;
  const transcript = await findClaudeTranscript(home, session.agentSessionId);
  if (!transcript) return null;
  let tokens: number | null;
  try {
    tokens = claudeContextTokens(readTail(transcript));
  } catch {
    return null;
  }
  if (tokens === null) return null;
  const window = contextWindowOf(session.model, configuredWindow);
  return { tokens, window, percent: Math.floor((tokens / window) * 100), transcript };
}
