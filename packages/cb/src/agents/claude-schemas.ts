import { z } from 'zod';

/**
 * Lenient zod schemas for Claude Code's `--output-format stream-json --verbose` lines
 * (agent-clis.md §2–§4). Unknown keys pass through; a field of the wrong type becomes null/empty
 * instead of rejecting the line, so one odd field never hides a result.
 */

const str = z.string().nullish().catch(null);
const num = z.number().nullish().catch(null);
const bool = z.boolean().nullish().catch(null);

export const ClaudeUsageSchema = z.looseObject({
  input_tokens: num,
  output_tokens: num,
  cache_read_input_tokens: num,
  cache_creation_input_tokens: num,
});
export type ClaudeUsage = z.infer<typeof ClaudeUsageSchema>;

const BlockListSchema = z.array(z.looseObject({ type: z.string() })).catch([]);

export const TextBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string() });
export const ToolUseBlockSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown().optional(),
});
export const ToolResultBlockSchema = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.unknown().optional(),
  is_error: bool,
});

export const ClaudeSystemSchema = z.looseObject({
  type: z.literal('system'),
  subtype: str,
  session_id: str,
  model: str,
  // api_retry
  attempt: num,
  max_retries: num,
  retry_delay_ms: num,
  error_status: num,
  error: str,
});

export const ClaudeAssistantSchema = z.looseObject({
  type: z.literal('assistant'),
  message: z
    .looseObject({
      id: str,
      model: str,
      content: BlockListSchema,
      usage: ClaudeUsageSchema.nullish().catch(null),
    })
    .catch({ id: null, model: null, content: [], usage: null }),
  /** Set on the synthetic error message: `rate_limit`, `authentication_failed`, `billing_error`, … */
  error: str,
  session_id: str,
});

export const ClaudeUserSchema = z.looseObject({
  type: z.literal('user'),
  message: z.looseObject({ content: z.unknown().optional() }).catch({ content: null }),
  /** Rich tool result, e.g. Write: `{type:'create', filePath, content, structuredPatch}`; Bash: `{stdout, stderr}`. */
  tool_use_result: z.unknown().optional(),
});

export const ClaudeRateLimitEventSchema = z.looseObject({
  type: z.literal('rate_limit_event'),
  rate_limit_info: z
    .looseObject({ status: str, resetsAt: num, rateLimitType: str, utilization: num })
    .catch({ status: null, resetsAt: null, rateLimitType: null, utilization: null }),
});

export const ClaudeModelUsageSchema = z
  .record(
    z.string(),
    z.looseObject({ inputTokens: num, outputTokens: num, cacheReadInputTokens: num, cacheCreationInputTokens: num }),
  )
  .catch({});
export type ClaudeModelUsage = z.infer<typeof ClaudeModelUsageSchema>;

export const PermissionDenialSchema = z.looseObject({ tool_name: str, tool_use_id: str, tool_input: z.unknown().optional() });
export type PermissionDenial = z.infer<typeof PermissionDenialSchema>;

export const ClaudeResultSchema = z.looseObject({
  type: z.literal('result'),
  subtype: str,
  is_error: bool,
  api_error_status: num,
  result: str,
  session_id: str,
  total_cost_usd: num,
  num_turns: num,
  usage: ClaudeUsageSchema.nullish().catch(null),
  modelUsage: ClaudeModelUsageSchema.optional(),
  permission_denials: z.array(PermissionDenialSchema).catch([]).optional(),
  errors: z.array(z.unknown()).catch([]).optional(),
});
export type ClaudeResult = z.infer<typeof ClaudeResultSchema>;

export const ClaudeLineSchema = z.discriminatedUnion('type', [
  ClaudeSystemSchema,
  ClaudeAssistantSchema,
  ClaudeUserSchema,
  ClaudeRateLimitEventSchema,
  ClaudeResultSchema,
]);
export type ClaudeLine = z.infer<typeof ClaudeLineSchema>;

/** Parses one already-JSON-decoded line; null for anything that is not a known Claude event. */
export function parseClaudeLine(value: unknown): ClaudeLine | null {
  const parsed = ClaudeLineSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Blocks of a message's `content` (string content counts as one text block). */
export function contentBlocks(content: unknown): Array<{ type: string } & Record<string, unknown>> {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return BlockListSchema.parse(content);
}

/** The strings in a result's `errors[]` (entries may be strings or objects). */
export function errorStrings(errors: readonly unknown[] | undefined): string[] {
  return (errors ?? []).map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
}
