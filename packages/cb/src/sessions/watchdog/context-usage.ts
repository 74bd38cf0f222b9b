/**
 * How full a session's context is, from the agent's own transcript: the input side of its last
 * model request (plus that request's output), against the model's context window. A compaction
 * boundary written after it means the context was just compacted and is small again.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
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

interface CodexTokenCount {
  type?: unknown;
  payload?: { type?: unknown; info?: { last_token_usage?: { total_tokens?: unknown }; model_context_window?: unknown } | null };
}

/** The last `token_count` of a Codex rollout: the last request's tokens against the model's window (Codex reports both). */
export function codexContextTokens(text: string): { tokens: number; window: number } | null {
  let found: { tokens: number; window: number } | null = null;
  for (const raw of text.split('\n')) {
    const line = parse(raw) as CodexTokenCount | null;
    const info = line?.type === 'event_msg' && line.payload?.type === 'token_count' ? line.payload.info : null;
    const tokens = num(info?.last_token_usage?.total_tokens);
    const window = num(info?.model_context_window);
    if (tokens > 0 && window > 0) found = { tokens, window };
  }
  return found;
}

/** `<codex home>/sessions/YYYY/MM/DD/rollout-<ts>-<thread>.jsonl`, the newest of that thread. */
export async function findCodexRollout(codexHome: string, threadId: string): Promise<string | null> {
  const sessions = join(codexHome, 'sessions');
  const files = (await readdir(sessions, { recursive: true }).catch(() => [] as string[])).filter((f) => f.endsWith(`-${threadId}.jsonl`));
  const newest = files.sort().pop();
  return newest ? join(sessions, newest) : null;
}

/** Where the agents keep their conversations: HOME (Claude's `~/.claude`) and Codex's home. */
export interface AgentHomes {
  home: string;
  codexHome?: string;
}

async function codexUsage(threadId: string, homes: AgentHomes, configuredWindow?: number): Promise<ContextUsage | null> {
  const rollout = await findCodexRollout(homes.codexHome ?? join(homes.home, '.codex'), threadId);
  if (!rollout) return null;
  let counted: { tokens: number; window: number } | null;
  try {
    counted = codexContextTokens(readTail(rollout));
  } catch {
    return null;
  }
  if (!counted) return null;
  const window = configuredWindow ?? counted.window;
  return { tokens: counted.tokens, window, percent: Math.floor((counted.tokens / window) * 100), transcript: rollout };
}

/**
 * The context usage of a Claude or Codex session's conversation; null for other agents, before
 * the first request, right after a (Claude) compaction, or when the transcript cannot be read.
 */
export async function sessionContextUsage(
  session: { agent: string; model: string | null; agentSessionId: string | null },
  homes: AgentHomes,
  configuredWindow?: number,
): Promise<ContextUsage | null> {
  if (!session.agentSessionId) return null;
  if (session.agent === 'codex') return codexUsage(session.agentSessionId, homes, configuredWindow);
  if (session.agent !== 'claude') return null;
  const home = homes.home;
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
