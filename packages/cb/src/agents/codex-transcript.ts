import type { TranscriptEntry } from '@flotilla/protocol';
import {
  AgentMessageItemSchema,
  CommandItemSchema,
  ErrorItemSchema,
  FileChangeItemSchema,
  McpToolCallItemSchema,
  WebSearchItemSchema,
  parseCodexLine,
  type CodexItem,
  type CodexLine,
} from './codex-schemas.js';
import { TRANSCRIPT_OUTPUT_CHARS, transcribeAll, type Transcriber } from './transcriber.js';
import { parseJsonLine, truncate } from './lines.js';

/** `/bin/bash -lc 'echo hi'` → `echo hi`: Codex wraps every command in a login shell. */
export function unwrapShellCommand(command: string): string {
  const match = /^(?:\/\S*\/)?(?:ba|z)?sh\s+-l?c\s+'((?:[^']|'\\'')*)'$/s.exec(command.trim());
  if (match?.[1] !== undefined) return match[1].replace(/'\\''/g, "'");
  const double = /^(?:\/\S*\/)?(?:ba|z)?sh\s+-l?c\s+"((?:[^"\\]|\\.)*)"$/s.exec(command.trim());
  return double?.[1] !== undefined ? double[1].replace(/\\(["\\$`])/g, '$1') : command;
}

function mcpEntries(at: number, item: CodexItem): TranscriptEntry[] {
  const call = McpToolCallItemSchema.safeParse(item);
  if (!call.success) return [];
  const id = item.id ?? `mcp-${at}`;
  const tool = `${call.data.server ?? 'mcp'}.${call.data.tool ?? '?'}`;
  const failed = Boolean(call.data.error) || call.data.status === 'failed';
  const output = call.data.error?.message ?? (call.data.result === undefined ? '' : JSON.stringify(call.data.result));
  return [
    { type: 'tool_call', at, id, tool, input: call.data.arguments ?? null },
    { type: 'tool_result', at, id, output: truncate(output ?? '', TRANSCRIPT_OUTPUT_CHARS), isError: failed },
  ];
}

/** Entries for one completed item. Codex reports no diff for file changes, so `edit.diff` is empty. */
function itemEntries(at: number, item: CodexItem): TranscriptEntry[] {
  switch (item.type) {
    case 'agent_message': {
      const message = AgentMessageItemSchema.safeParse(item);
      return message.success && message.data.text.trim() !== '' ? [{ type: 'text', at, text: message.data.text }] : [];
    }
    case 'command_execution': {
      const command = CommandItemSchema.safeParse(item);
      if (!command.success) return [];
      const { aggregated_output, exit_code } = command.data;
      return [
        {
          type: 'command',
          at,
          command: unwrapShellCommand(command.data.command ?? ''),
          output: truncate(aggregated_output ?? '', TRANSCRIPT_OUTPUT_CHARS),
          exitCode: typeof exit_code === 'number' ? Math.trunc(exit_code) : null,
        },
      ];
    }
    case 'file_change': {
      const change = FileChangeItemSchema.safeParse(item);
      return change.success ? change.data.changes.map((c) => ({ type: 'edit' as const, at, path: c.path, diff: '' })) : [];
    }
    case 'mcp_tool_call':
      return mcpEntries(at, item);
    case 'web_search': {
      const search = WebSearchItemSchema.safeParse(item);
      const input = { query: search.success ? search.data.query : null };
      return [{ type: 'tool_call', at, id: item.id ?? `search-${at}`, tool: 'web_search', input }];
    }
    case 'error': {
      const error = ErrorItemSchema.safeParse(item);
      return error.success ? [{ type: 'notice', at, text: error.data.message }] : [];
    }
    default:
      return [];
  }
}

function lineEntries(at: number, line: CodexLine, lastMessage: string | null): TranscriptEntry[] {
  switch (line.type) {
    case 'thread.started':
      return [{ type: 'notice', at, text: `thread ${line.thread_id ?? '?'}` }];
    case 'item.completed':
      return itemEntries(at, line.item);
    case 'turn.completed':
      return [{ type: 'final', at, text: lastMessage ?? '', isError: false }];
    case 'turn.failed':
      return [{ type: 'final', at, text: line.error?.message ?? 'turn failed', isError: true }];
    case 'error':
      return [{ type: 'notice', at, text: line.message ?? 'error' }];
    default:
      return [];
  }
}

/** Codex's transcriber: one raw line at a time (it remembers the last agent message for `final`). */
export function createCodexTranscriber(): Transcriber {
  let lastMessage: string | null = null;
  let at = -1;
  return {
    push(raw: string): TranscriptEntry[] {
      at += 1;
      const json = parseJsonLine(raw);
      if (json === undefined) {
        return raw.trim() === '' ? [] : [{ type: 'notice', at, text: truncate(raw.trim(), 500) }];
      }
      const line = parseCodexLine(json);
      if (!line) return [];
      if (line.type === 'item.completed') {
        const message = AgentMessageItemSchema.safeParse(line.item);
        if (message.success) lastMessage = message.data.text;
      }
      return lineEntries(at, line, lastMessage);
    },
  };
}

/** Readable entries from `codex exec --json` lines; `at` is the raw line's index. */
export function codexTranscript(lines: readonly string[]): TranscriptEntry[] {
  return transcribeAll(createCodexTranscriber(), lines);
}
