import { z } from 'zod';
import type { TranscriptEntry } from '@flotilla/protocol';
import type { LineAccumulator, Progress } from './types.js';
import { classifyFailureText } from './failure-text.js';
import { parseJsonLine, pushTail, stripAnsi, truncate } from './lines.js';
import { transcribeAll, type Transcriber } from './transcriber.js';
import { emptyProgress } from './usage.js';

/** How many trailing lines of a `text` agent's output form its answer. */
export const TEXT_ANSWER_LINES = 200;

/**
 * One line of a generic `jsonl` agent: `{"type":"text","text":"…"}`, `{"type":"result","text":"…"}`,
 * `{"type":"error","message":"…"}`, `{"type":"tool_call","name":"…","input":{…}}`. Lenient: any other
 * keys pass through and a wrong-typed field reads as null.
 */
export const GenericLineSchema = z.looseObject({
  type: z.string().nullish().catch(null),
  text: z.string().nullish().catch(null),
  result: z.string().nullish().catch(null),
  message: z.string().nullish().catch(null),
  name: z.string().nullish().catch(null),
  tool: z.string().nullish().catch(null),
  input: z.unknown().optional(),
  is_error: z.boolean().nullish().catch(null),
  session_id: z.string().nullish().catch(null),
  sessionId: z.string().nullish().catch(null),
  model: z.string().nullish().catch(null),
});
export type GenericLine = z.infer<typeof GenericLineSchema>;

const TOOL_TYPES: ReadonlySet<string> = new Set(['tool_call', 'tool_use', 'tool']);

export function parseGenericLine(raw: string): GenericLine | null {
  const parsed = GenericLineSchema.safeParse(parseJsonLine(raw));
  return parsed.success ? parsed.data : null;
}

/** Reads generic JSON lines: the answer is the `result` line's text, else the last text seen. */
export function createJsonlAccumulator(): LineAccumulator {
  const progress = emptyProgress();
  function onLine(line: GenericLine): void {
    progress.agentSessionId = line.session_id ?? line.sessionId ?? progress.agentSessionId;
    progress.model = line.model ?? progress.model;
    const text = line.result ?? line.text ?? line.message ?? null;
    if (line.type === 'result') {
      progress.sawResult = true;
      progress.resultIsError = line.is_error === true;
      progress.result = text ?? progress.result;
    } else if (line.type === 'error') {
      const message = text ?? 'error';
      progress.lastWarning = { kind: classifyFailureText(message) ?? 'task', message: truncate(message, 1_000) };
    } else if (line.type && TOOL_TYPES.has(line.type)) {
      progress.toolCalls += 1;
    } else if (text !== null && !progress.sawResult) {
      progress.result = text;
    }
  }
  return {
    push(raw: string): void {
      pushTail(progress.tail, raw);
      const line = parseGenericLine(raw);
      if (line) onLine(line);
    },
    progress: (): Progress => ({ ...progress, tail: [...progress.tail] }),
  };
}

/** Trims leading and trailing blank lines. */
function trimBlankLines(lines: readonly string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start] ?? '').trim() === '') start++;
  while (end > start && (lines[end - 1] ?? '').trim() === '') end--;
  return lines.slice(start, end);
}

/** Reads plain text output: the answer is the last lines of output (ANSI stripped). */
export function createTextAccumulator(): LineAccumulator {
  const progress = emptyProgress();
  const recent: string[] = [];
  return {
    push(raw: string): void {
      const line = stripAnsi(raw).trimEnd();
      pushTail(progress.tail, line);
      recent.push(line);
      if (recent.length > TEXT_ANSWER_LINES) recent.shift();
    },
    progress(): Progress {
      const answer = trimBlankLines(recent).join('\n');
      return { ...progress, result: answer === '' ? null : answer, tail: [...progress.tail] };
    },
  };
}

function jsonlEntry(at: number, line: GenericLine): TranscriptEntry | null {
  const text = line.result ?? line.text ?? line.message ?? null;
  if (line.type === 'result') return { type: 'final', at, text: text ?? '', isError: line.is_error === true };
  if (line.type === 'error') return { type: 'notice', at, text: text ?? 'error' };
  if (line.type && TOOL_TYPES.has(line.type)) {
    return { type: 'tool_call', at, id: `line-${at}`, tool: line.name ?? line.tool ?? 'tool', input: line.input ?? null };
  }
  return text !== null && text.trim() !== '' ? { type: 'text', at, text } : null;
}

/** Transcriber of a generic `jsonl` agent; lines that are not JSON become notices. */
export function createJsonlTranscriber(): Transcriber {
  let at = -1;
  return {
    push(raw: string): TranscriptEntry[] {
      at += 1;
      const line = parseGenericLine(raw);
      if (line) {
        const entry = jsonlEntry(at, line);
        return entry ? [entry] : [];
      }
      return raw.trim() === '' ? [] : [{ type: 'notice', at, text: truncate(stripAnsi(raw).trim(), 500) }];
    },
  };
}

export function jsonlTranscript(lines: readonly string[]): TranscriptEntry[] {
  return transcribeAll(createJsonlTranscriber(), lines);
}

/**
 * Transcript of a `text` agent: each run of non-blank lines is one text entry. (Its transcriber,
 * fed one line at a time, gives one entry per non-blank line.)
 */
export function textTranscript(lines: readonly string[]): TranscriptEntry[] {
  const entries: TranscriptEntry[] = [];
  let block: string[] = [];
  let start = 0;
  const flush = () => {
    if (block.length > 0) entries.push({ type: 'text', at: start, text: block.join('\n') });
    block = [];
  };
  lines.forEach((raw, at) => {
    const line = stripAnsi(raw).trimEnd();
    if (line.trim() === '') return flush();
    if (block.length === 0) start = at;
    block.push(line);
  });
  flush();
  return entries;
}

export function createTextTranscriber(): Transcriber {
  let at = -1;
  return {
    push(raw: string): TranscriptEntry[] {
      at += 1;
      const text = stripAnsi(raw).trimEnd();
      return text.trim() === '' ? [] : [{ type: 'text', at, text }];
    },
  };
}
