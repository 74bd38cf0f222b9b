import type { ServerResponse } from 'node:http';
import { writeSse } from './http-server.js';
import type { AnthropicUsage, ReplyStep, ToolUse } from './types.js';

/** Anthropic Messages API wire format: content blocks, JSON messages, SSE event sequences. */

export const DEFAULT_ANTHROPIC_USAGE: AnthropicUsage = {
  input_tokens: 100,
  output_tokens: 20,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

type AnthropicReply = ReplyStep<AnthropicUsage>;

type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface MessageIds {
  /** 1-based response counter, used for `msg_fake_<n>` / `toolu_fake_<n>_<i>`. */
  n: number;
  model: string;
}

function toolBlock(tool: ToolUse, ids: MessageIds, index: number): ContentBlock {
  return {
    type: 'tool_use',
    id: tool.id ?? `toolu_fake_${ids.n}_${index}`,
    name: tool.name,
    input: tool.input,
  };
}

export function contentBlocks(step: AnthropicReply, ids: MessageIds): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  if (step.text !== undefined) blocks.push({ type: 'text', text: step.text });
  (step.toolUses ?? []).forEach((tool, i) => blocks.push(toolBlock(tool, ids, i)));
  // A step with neither text nor tools is an empty reply, as the real API can send.
  return blocks;
}

export function stopReasonOf(step: AnthropicReply): string {
  if (step.stopReason !== undefined) return step.stopReason;
  return (step.toolUses ?? []).length > 0 ? 'tool_use' : 'end_turn';
}

function usageOf(step: AnthropicReply): AnthropicUsage {
  return { ...DEFAULT_ANTHROPIC_USAGE, ...step.usage };
}

/** The non-streaming `message` object for a reply. */
export function messageJson(step: AnthropicReply, ids: MessageIds): Record<string, unknown> {
  return {
    id: `msg_fake_${ids.n}`,
    type: 'message',
    role: 'assistant',
    model: ids.model,
    content: contentBlocks(step, ids),
    stop_reason: stopReasonOf(step),
    stop_sequence: null,
    usage: usageOf(step),
  };
}

/** `message_start` carries the input-side usage and `output_tokens: 1`, like the real API. */
export function writeMessageStart(res: ServerResponse, step: AnthropicReply, ids: MessageIds): void {
  const usage = usageOf(step);
  writeSse(res, 'message_start', {
    type: 'message_start',
    message: {
      id: `msg_fake_${ids.n}`,
      type: 'message',
      role: 'assistant',
      model: ids.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  });
}

function writeBlock(res: ServerResponse, block: ContentBlock, index: number): void {
  if (block.type === 'text') {
    writeSse(res, 'content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'text', text: '' },
    });
    writeSse(res, 'content_block_delta', {
      type: 'content_block_delta',
      index,
      delta: { type: 'text_delta', text: block.text },
    });
  } else {
    writeSse(res, 'content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
    });
    writeSse(res, 'content_block_delta', {
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
    });
  }
  writeSse(res, 'content_block_stop', { type: 'content_block_stop', index });
}

/** Everything after `message_start`: the blocks, `message_delta` and `message_stop`. */
export function writeMessageRest(res: ServerResponse, step: AnthropicReply, ids: MessageIds): void {
  contentBlocks(step, ids).forEach((block, index) => writeBlock(res, block, index));
  const usage = usageOf(step);
  writeSse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: stopReasonOf(step), stop_sequence: null },
    usage: {
      input_tokens: usage.input_tokens,
      output_tokens: usage.output_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens,
    },
  });
  writeSse(res, 'message_stop', { type: 'message_stop' });
}

export function errorBody(type: string, message: string, requestId: string): unknown {
  return { type: 'error', error: { type, message }, request_id: requestId };
}
