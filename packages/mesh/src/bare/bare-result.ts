/**
 * A finished bare job's result, read from the tail of its output: Claude's final `result` event
 * (stream-json), Codex's last agent message (jsonl), or the output's last lines (any other agent).
 */
import type { BareOutputFormat } from './bare-agents.js';
import type { BareResult } from './bare-observation.js';

/** How much of a failed job's output is kept as its `rawTail`. */
const TAIL_CHARS = 2_000;
/** How much of a text agent's output becomes its result. */
const TEXT_RESULT_CHARS = 4_000;

export function readResult(format: BareOutputFormat, output: string): BareResult {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const tail = output.slice(-TAIL_CHARS);
  if (format === 'stream-json') return claudeResult(lines, tail);
  if (format === 'jsonl') return codexResult(lines, tail);
  const text = output.trim();
  return { result: text === '' ? null : text.slice(-TEXT_RESULT_CHARS), agentSessionId: null, agentError: false, tail };
}

function claudeResult(lines: readonly string[], tail: string): BareResult {
  let sessionId: string | null = null;
  for (const line of [...lines].reverse()) {
    const event = jsonObject(line);
    if (!event) continue;
    if (sessionId === null && typeof event.session_id === 'string') sessionId = event.session_id;
    if (event.type === 'result') {
      const result = typeof event.result === 'string' ? event.result : null;
      return { result, agentSessionId: sessionId, agentError: event.is_error === true, tail };
    }
  }
  return { result: null, agentSessionId: sessionId, agentError: false, tail };
}

function codexResult(lines: readonly string[], tail: string): BareResult {
  let result: string | null = null;
  let threadId: string | null = null;
  for (const line of lines) {
    const event = jsonObject(line);
    if (!event) continue;
    if (event.type === 'thread.started' && typeof event.thread_id === 'string') threadId = event.thread_id;
    const item = event.item as Record<string, unknown> | undefined;
    if (event.type === 'item.completed' && item?.type === 'agent_message' && typeof item.text === 'string') result = item.text;
  }
  return { result, agentSessionId: threadId, agentError: false, tail };
}

function jsonObject(line: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(line) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Decodes base64 output, leaving out an incomplete UTF-8 sequence at the end (it is read with the
 * next chunk): the text and how many bytes it used.
 */
export function decodeUtf8Chunk(base64: string): { text: string; bytes: number } {
  const buffer = Buffer.from(base64.replace(/\s+/g, ''), 'base64');
  let end = buffer.length;
  // Step back over continuation bytes to the last lead byte; keep it only if its sequence is complete.
  let lead = end - 1;
  while (lead >= 0 && lead > end - 4 && (buffer[lead]! & 0xc0) === 0x80) lead -= 1;
  if (lead >= 0) {
    const byte = buffer[lead]!;
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (end - lead < need) end = lead;
  }
  return { text: buffer.subarray(0, end).toString('utf8'), bytes: end };
}
