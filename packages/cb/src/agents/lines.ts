/**
 * Small, pure helpers shared by the agent adapters for handling raw output lines.
 * Nothing here throws on bad input: agent output is untrusted text.
 */

/** How many non-empty lines `Progress.tail` keeps. */
export const TAIL_LINES = 20;
/** Longest line kept in a tail; agent JSON lines can be hundreds of kilobytes. */
export const TAIL_LINE_CHARS = 2_000;

/** `JSON.parse` that returns `undefined` instead of throwing, and only for object-looking lines. */
export function parseJsonLine(line: string): unknown {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

/** Cut `text` to `max` characters, saying how much was dropped. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more chars)`;
}

/** Appends a non-empty line to a bounded tail (mutates and returns it). */
export function pushTail(tail: string[], line: string, max = TAIL_LINES): string[] {
  const trimmed = line.trimEnd();
  if (trimmed.trim() === '') return tail;
  tail.push(truncate(trimmed, TAIL_LINE_CHARS));
  if (tail.length > max) tail.splice(0, tail.length - max);
  return tail;
}

/** Splits text into lines, dropping a trailing empty line left by a final newline. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** Removes terminal colour and cursor escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}

/** The last `max` non-empty lines of stdout (the accumulator's tail) and stderr, for `Failure.rawTail`. */
export function buildRawTail(stdoutTail: readonly string[], stderrTail: string, max = TAIL_LINES): string {
  const lines = [...stdoutTail];
  for (const line of splitLines(stderrTail)) pushTail(lines, line, Number.POSITIVE_INFINITY);
  return lines.slice(-max).join('\n');
}

/** Epoch seconds (or milliseconds, when large) to an ISO timestamp; null for nonsense. */
export function epochToIso(value: number | null | undefined): string | null {
  if (value === null || value === undefined || !Number.isFinite(value) || value <= 0) return null;
  const ms = value < 1e12 ? value * 1000 : value;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Text of a tool result's `content`: a string, or an array of `{type:'text', text}` blocks. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const block of content) {
    if (block && typeof block === 'object' && typeof (block as { text?: unknown }).text === 'string') {
      parts.push((block as { text: string }).text);
    }
  }
  return parts.join('\n');
}
