import { z } from 'zod';
import type { TranscriptEntry } from '@flotilla/protocol';
import {
  TextBlockSchema,
  ToolResultBlockSchema,
  ToolUseBlockSchema,
  contentBlocks,
  errorStrings,
  parseClaudeLine,
  type ClaudeLine,
} from './claude-schemas.js';
import { retryWarning } from './claude-accumulator.js';
import { createdFileDiff, hunksDiff, replacementsDiff } from './diff.js';
import { contentText, epochToIso, parseJsonLine, truncate } from './lines.js';
import { TRANSCRIPT_OUTPUT_CHARS, transcribeAll, type Transcriber } from './transcriber.js';

const EDIT_TOOLS: ReadonlySet<string> = new Set(['Write', 'Edit', 'MultiEdit']);

interface ToolUse {
  name: string;
  input: Record<string, unknown>;
}

const HunkSchema = z.object({
  oldStart: z.number(),
  oldLines: z.number(),
  newStart: z.number(),
  newLines: z.number(),
  lines: z.array(z.string()),
});
const EditResultSchema = z.looseObject({
  type: z.string().optional(),
  filePath: z.string().optional(),
  content: z.string().optional(),
  structuredPatch: z.array(HunkSchema).optional().catch(undefined),
});
const BashResultSchema = z.looseObject({ stdout: z.string().optional(), stderr: z.string().optional() });
const EditsSchema = z.array(z.looseObject({ old_string: z.string(), new_string: z.string() })).catch([]);

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * An `edit` entry for a successful Write/Edit/MultiEdit. The rich `tool_use_result` (structured patch,
 * or a created file's content) is enough on its own, so a line read in isolation still shows its diff;
 * the tool input (from the earlier assistant line) is the fallback.
 */
function editEntry(at: number, tool: ToolUse | undefined, toolUseResult: unknown): TranscriptEntry | null {
  const rich = EditResultSchema.safeParse(toolUseResult);
  const details = rich.success ? rich.data : {};
  const input = tool?.input ?? {};
  const path = str(input.file_path) ?? details.filePath;
  if (!path) return null;
  if (details.structuredPatch && details.structuredPatch.length > 0) {
    return { type: 'edit', at, path, diff: hunksDiff(path, details.structuredPatch) };
  }
  if (details.type === 'create' || tool?.name === 'Write') {
    return { type: 'edit', at, path, diff: createdFileDiff(path, details.content ?? str(input.content) ?? '') };
  }
  if (!tool || !EDIT_TOOLS.has(tool.name)) return null;
  const edits =
    tool.name === 'MultiEdit'
      ? EditsSchema.parse(input.edits)
      : [{ old_string: str(input.old_string) ?? '', new_string: str(input.new_string) ?? '' }];
  const pairs = edits.map((e) => ({ oldText: e.old_string, newText: e.new_string }));
  return { type: 'edit', at, path, diff: replacementsDiff(path, pairs) };
}

/** A `command` entry for Bash; null when the call never ran (e.g. permission denied). */
function commandEntry(at: number, tool: ToolUse, output: string, isError: boolean, rich: unknown): TranscriptEntry | null {
  const exitMatch = /^(?:Error: )?Exit code (\d+)/.exec(output);
  if (isError && !exitMatch) return null;
  const streams = BashResultSchema.safeParse(rich);
  const fromStreams = streams.success
    ? [streams.data.stdout, streams.data.stderr].filter((s) => s !== undefined && s !== '').join('\n')
    : '';
  return {
    type: 'command',
    at,
    command: str(tool.input.command) ?? '',
    output: truncate(fromStreams || output.replace(/^(?:Error: )?Exit code \d+\n?/, ''), TRANSCRIPT_OUTPUT_CHARS),
    // Claude reports a non-zero exit as an error result `Exit code N`; a plain success means 0.
    exitCode: exitMatch ? Number(exitMatch[1]) : 0,
  };
}

function toolResultEntries(
  at: number,
  line: Extract<ClaudeLine, { type: 'user' }>,
  tools: ReadonlyMap<string, ToolUse>,
): TranscriptEntry[] {
  const entries: TranscriptEntry[] = [];
  for (const block of contentBlocks(line.message.content)) {
    const parsed = ToolResultBlockSchema.safeParse(block);
    if (!parsed.success) continue;
    const { tool_use_id: id, is_error } = parsed.data;
    const output = contentText(parsed.data.content);
    const isError = is_error === true;
    const tool = tools.get(id);
    let special: TranscriptEntry | null = null;
    const maybeEdit = !tool || EDIT_TOOLS.has(tool.name);
    if (!isError && maybeEdit) special = editEntry(at, tool, line.tool_use_result);
    if (tool?.name === 'Bash') special = commandEntry(at, tool, output, isError, line.tool_use_result);
    entries.push(special ?? { type: 'tool_result', at, id, output: truncate(output, TRANSCRIPT_OUTPUT_CHARS), isError });
  }
  return entries;
}

function assistantEntries(
  at: number,
  line: Extract<ClaudeLine, { type: 'assistant' }>,
  tools: Map<string, ToolUse>,
): TranscriptEntry[] {
  // Claude's own error messages repeat in the result line, which becomes the `final` entry.
  if (line.message.model === '<synthetic>') return [];
  const entries: TranscriptEntry[] = [];
  for (const block of contentBlocks(line.message.content)) {
    const text = TextBlockSchema.safeParse(block);
    if (text.success && text.data.text.trim() !== '') entries.push({ type: 'text', at, text: text.data.text });
    const use = ToolUseBlockSchema.safeParse(block);
    if (!use.success) continue;
    const input = use.data.input && typeof use.data.input === 'object' ? (use.data.input as Record<string, unknown>) : {};
    tools.set(use.data.id, { name: use.data.name, input });
    entries.push({ type: 'tool_call', at, id: use.data.id, tool: use.data.name, input: use.data.input });
  }
  return entries;
}

function resultEntries(at: number, line: Extract<ClaudeLine, { type: 'result' }>): TranscriptEntry[] {
  const entries: TranscriptEntry[] = [];
  for (const denial of line.permission_denials ?? []) {
    entries.push({ type: 'notice', at, text: `permission denied: ${denial.tool_name ?? 'tool'}` });
  }
  const text = line.result ?? (errorStrings(line.errors).join('\n') || line.subtype || '');
  entries.push({ type: 'final', at, text, isError: line.is_error === true });
  return entries;
}

function lineEntries(at: number, line: ClaudeLine, tools: Map<string, ToolUse>): TranscriptEntry[] {
  switch (line.type) {
    case 'system':
      if (line.subtype === 'init') {
        return [{ type: 'notice', at, text: `session ${line.session_id ?? '?'} · model ${line.model ?? '?'}` }];
      }
      return line.subtype === 'api_retry' ? [{ type: 'notice', at, text: retryWarning(line, 0).message }] : [];
    case 'assistant':
      return assistantEntries(at, line, tools);
    case 'user':
      return toolResultEntries(at, line, tools);
    case 'rate_limit_event': {
      const { status, resetsAt } = line.rate_limit_info;
      if (!status || status === 'allowed') return [];
      const iso = epochToIso(resetsAt);
      const reset = iso ? `, resets ${iso}` : '';
      return [{ type: 'notice', at, text: `rate limit ${status}${reset}` }];
    }
    case 'result':
      return resultEntries(at, line);
  }
}

/** Claude's transcriber; see `claudeTranscript`. */
export function createClaudeTranscriber(): Transcriber {
  const tools = new Map<string, ToolUse>();
  let at = -1;
  return {
    push(raw: string): TranscriptEntry[] {
      at += 1;
      const json = parseJsonLine(raw);
      if (json === undefined) {
        return raw.trim() === '' ? [] : [{ type: 'notice', at, text: truncate(raw.trim(), 500) }];
      }
      const line = parseClaudeLine(json);
      return line ? lineEntries(at, line, tools) : [];
    },
  };
}

/**
 * Readable entries from Claude's stream-json lines. `at` is the index of the raw line the entry
 * came from. Lines that are not JSON (stderr mixed into the log) become notices.
 */
export function claudeTranscript(lines: readonly string[]): TranscriptEntry[] {
  return transcribeAll(createClaudeTranscriber(), lines);
}
