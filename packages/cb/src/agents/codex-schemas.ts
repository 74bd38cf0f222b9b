import { z } from 'zod';

/**
 * Lenient zod schemas for `codex exec --json` lines (agent-clis.md §7). Unknown keys pass through;
 * a field of the wrong type becomes null instead of rejecting the line.
 */

const str = z.string().nullish().catch(null);
const num = z.number().nullish().catch(null);

export const CodexUsageSchema = z.looseObject({
  input_tokens: num,
  cached_input_tokens: num,
  cache_write_input_tokens: num,
  output_tokens: num,
  reasoning_output_tokens: num,
});
export type CodexUsage = z.infer<typeof CodexUsageSchema>;

/** An item of any type; the type-specific fields are read with the schemas below. */
export const CodexItemSchema = z.looseObject({ id: str, type: z.string() });
export type CodexItem = z.infer<typeof CodexItemSchema>;

export const AgentMessageItemSchema = z.looseObject({ type: z.literal('agent_message'), text: z.string() });
export const ErrorItemSchema = z.looseObject({ type: z.literal('error'), message: z.string() });
export const CommandItemSchema = z.looseObject({
  type: z.literal('command_execution'),
  command: str,
  aggregated_output: str,
  exit_code: num,
  status: str,
});
export const FileChangeItemSchema = z.looseObject({
  type: z.literal('file_change'),
  changes: z.array(z.looseObject({ path: z.string(), kind: str })).catch([]),
  status: str,
});
export const McpToolCallItemSchema = z.looseObject({
  type: z.literal('mcp_tool_call'),
  server: str,
  tool: str,
  arguments: z.unknown().optional(),
  result: z.unknown().optional(),
  error: z.looseObject({ message: str }).nullish().catch(null),
  status: str,
});
export const WebSearchItemSchema = z.looseObject({ type: z.literal('web_search'), query: str });

const ItemEventSchema = <T extends string>(type: T) =>
  z.looseObject({ type: z.literal(type), item: CodexItemSchema });

export const CodexLineSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('thread.started'), thread_id: str }),
  z.looseObject({ type: z.literal('turn.started') }),
  z.looseObject({ type: z.literal('turn.completed'), usage: CodexUsageSchema.nullish().catch(null) }),
  z.looseObject({
    type: z.literal('turn.failed'),
    error: z.looseObject({ message: str }).nullish().catch(null),
  }),
  ItemEventSchema('item.started'),
  ItemEventSchema('item.updated'),
  ItemEventSchema('item.completed'),
  z.looseObject({ type: z.literal('error'), message: str }),
]);
export type CodexLine = z.infer<typeof CodexLineSchema>;

/** Parses one already-JSON-decoded line; null for anything that is not a known Codex event. */
export function parseCodexLine(value: unknown): CodexLine | null {
  const parsed = CodexLineSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Codex's harmless notice for a model name it has no metadata for (agent-clis.md §7). */
export function isModelMetadataNotice(message: string): boolean {
  return /^Model metadata for .* not found/i.test(message.trim());
}

/** The model named in the metadata notice: "Model metadata for `gpt-fake` not found". */
export function modelFromMetadataNotice(message: string): string | null {
  return /^Model metadata for `([^`]+)`/.exec(message.trim())?.[1] ?? null;
}

/** Item types that are the agent acting (counted as tool calls). */
export const CODEX_TOOL_ITEM_TYPES: ReadonlySet<string> = new Set([
  'command_execution',
  'file_change',
  'mcp_tool_call',
  'web_search',
]);
