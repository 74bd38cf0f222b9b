import type { TranscriptEntry } from '@flotilla/protocol';
import { diffLines, type DiffLine } from './diff-model';

/** One readable block of a transcript, as the page draws it. `key` stays the same as the transcript grows. */
export type TranscriptItem =
  | { kind: 'text'; key: string; text: string }
  | { kind: 'tool'; key: string; tool: string; summary: string; input: string; output: string | null; isError: boolean }
  | { kind: 'command'; key: string; command: string; output: string; exitCode: number | null }
  | { kind: 'edit'; key: string; path: string; lines: DiffLine[]; added: number; removed: number }
  | { kind: 'final'; key: string; text: string; isError: boolean }
  | { kind: 'notice'; key: string; text: string };

/** Longest tool input shown (pretty JSON); the raw log keeps all of it. */
const MAX_INPUT_CHARS = 4000;

/** Tool input keys, most telling first (as `cb logs` picks them). */
const SUMMARY_KEYS = ['command', 'cmd', 'file_path', 'path', 'notebook_path', 'pattern', 'url', 'query', 'description', 'prompt'];

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The one argument that best says what a tool call does. */
export function toolSummary(input: unknown): string {
  if (input === null || input === undefined) return '';
  if (typeof input !== 'object') return clip(String(input), 120);
  const record = input as Record<string, unknown>;
  for (const key of SUMMARY_KEYS) {
    const value = record[key];
    if (typeof value === 'string' && value.trim() !== '') {
      const [first = '', ...more] = value.trim().split('\n');
      return clip(more.length > 0 ? `${first} …` : first, 120);
    }
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return clip(value.join(' '), 120);
  }
  const json = JSON.stringify(input);
  return json === '{}' ? '' : clip(json, 120);
}

function prettyInput(input: unknown): string {
  if (input === undefined || input === null) return '';
  if (typeof input === 'string') return clip(input, MAX_INPUT_CHARS);
  return clip(JSON.stringify(input, null, 2), MAX_INPUT_CHARS);
}

function inputOf(entry: Extract<TranscriptEntry, { type: 'tool_call' }>): Record<string, unknown> {
  return entry.input && typeof entry.input === 'object' ? (entry.input as Record<string, unknown>) : {};
}

function commandText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(' ');
  return null;
}

function editItem(key: string, entry: Extract<TranscriptEntry, { type: 'edit' }>): TranscriptItem {
  const lines = diffLines(entry.diff);
  const added = lines.filter((l) => l.kind === 'add').length;
  const removed = lines.filter((l) => l.kind === 'del').length;
  return { kind: 'edit', key, path: entry.path, lines, added, removed };
}

interface Pending {
  index: number;
  entry: Extract<TranscriptEntry, { type: 'tool_call' }>;
}

/** The latest call still waiting for its result that `fits` (a command's or an edit's own call). */
function claim(pending: Pending[], fits: (input: Record<string, unknown>) => boolean): Pending | null {
  for (let i = pending.length - 1; i >= 0; i--) {
    const call = pending[i]!;
    if (fits(inputOf(call.entry))) {
      pending.splice(i, 1);
      return call;
    }
  }
  return null;
}

/**
 * Readable items from transcript entries: a tool call and its result become one item; a command or
 * an edit replaces the call that made it (in the call's place); the agent's last text is dropped
 * when the final answer repeats it.
 */
export function transcriptItems(entries: readonly TranscriptEntry[]): TranscriptItem[] {
  const items: TranscriptItem[] = [];
  const pending: Pending[] = [];
  const byId = new Map<string, number>();
  entries.forEach((entry, n) => {
    const key = `e${n}`;
    switch (entry.type) {
      case 'text':
      case 'notice':
        items.push({ kind: entry.type, key, text: entry.text });
        return;
      case 'final':
        dropRepeatedText(items, entry.text);
        items.push({ kind: 'final', key, text: entry.text, isError: entry.isError });
        return;
      case 'tool_call':
        byId.set(entry.id, items.length);
        pending.push({ index: items.length, entry });
        items.push({ kind: 'tool', key, tool: entry.tool, summary: toolSummary(entry.input), input: prettyInput(entry.input), output: null, isError: false });
        return;
      case 'tool_result': {
        const at = byId.get(entry.id);
        const call = at === undefined ? undefined : items[at];
        const waiting = pending.findIndex((p) => p.entry.id === entry.id);
        if (waiting >= 0) pending.splice(waiting, 1);
        if (call?.kind === 'tool' && call.output === null) items[at!] = { ...call, output: entry.output, isError: entry.isError };
        else items.push({ kind: 'tool', key, tool: 'tool', summary: '', input: '', output: entry.output, isError: entry.isError });
        return;
      }
      case 'command': {
        const item: TranscriptItem = { kind: 'command', key, command: entry.command, output: entry.output, exitCode: entry.exitCode };
        const call = claim(pending, (input) => commandText(input.command ?? input.cmd) === entry.command);
        place(items, call, item);
        return;
      }
      case 'edit': {
        const call = claim(pending, (input) => [input.file_path, input.path].some((p) => typeof p === 'string' && (p === entry.path || p.endsWith(`/${entry.path}`))));
        place(items, call, editItem(key, entry));
        return;
      }
    }
  });
  return items;
}

function place(items: TranscriptItem[], call: Pending | null, item: TranscriptItem): void {
  if (call) items[call.index] = { ...item, key: items[call.index]!.key };
  else items.push(item);
}

function dropRepeatedText(items: TranscriptItem[], final: string): void {
  const last = items[items.length - 1];
  if (last?.kind === 'text' && last.text.trim() === final.trim()) items.pop();
}
