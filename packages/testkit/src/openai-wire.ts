import type { ServerResponse } from 'node:http';
import { writeSse } from './http-server.js';
import type { OpenAIUsage, ReplyStep } from './types.js';

/** OpenAI Responses API wire format: output items, usage and the SSE event sequence. */

export const DEFAULT_OPENAI_USAGE: OpenAIUsage = {
  input_tokens: 100,
  cached_input_tokens: 0,
  output_tokens: 20,
  reasoning_output_tokens: 0,
};

type OpenAIReply = ReplyStep<OpenAIUsage>;

export interface ResponseIds {
  /** 1-based response counter, used for `resp_fake_<n>`, `msg_fake_<n>`, `call_fake_<n>_<i>`. */
  n: number;
  model: string;
}

/** Numbers the events of one stream, as the real API does with `sequence_number`. */
export interface ResponseStream {
  res: ServerResponse;
  ids: ResponseIds;
  seq: number;
}

function usageJson(step: OpenAIReply): Record<string, unknown> {
  const u = { ...DEFAULT_OPENAI_USAGE, ...step.usage };
  return {
    input_tokens: u.input_tokens,
    input_tokens_details: { cached_tokens: u.cached_input_tokens },
    output_tokens: u.output_tokens,
    output_tokens_details: { reasoning_tokens: u.reasoning_output_tokens },
    total_tokens: u.input_tokens + u.output_tokens,
  };
}

export function outputItems(step: OpenAIReply, ids: ResponseIds): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  if (step.text !== undefined) {
    items.push({
      type: 'message',
      id: `msg_fake_${ids.n}`,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: step.text, annotations: [] }],
    });
  }
  (step.toolUses ?? []).forEach((tool, i) => {
    items.push({
      type: 'function_call',
      id: `fc_fake_${ids.n}_${i}`,
      call_id: tool.id ?? `call_fake_${ids.n}_${i}`,
      name: tool.name,
      arguments: JSON.stringify(tool.input),
      status: 'completed',
    });
  });
  return items;
}

export function responseJson(
  ids: ResponseIds,
  status: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: `resp_fake_${ids.n}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    model: ids.model,
    output: [],
    usage: null,
    error: null,
    ...extra,
  };
}

export function emit(stream: ResponseStream, type: string, payload: Record<string, unknown>): void {
  writeSse(stream.res, type, { type, sequence_number: stream.seq, ...payload });
  stream.seq += 1;
}

export function writeCreated(stream: ResponseStream): void {
  emit(stream, 'response.created', { response: responseJson(stream.ids, 'in_progress') });
}

/** Output items (added + done each) and `response.completed` with usage. */
export function writeCompleted(stream: ResponseStream, step: OpenAIReply): void {
  const items = outputItems(step, stream.ids);
  items.forEach((item, index) => {
    const added = item.type === 'message' ? { ...item, status: 'in_progress', content: [] } : item;
    emit(stream, 'response.output_item.added', { output_index: index, item: added });
    emit(stream, 'response.output_item.done', { output_index: index, item });
  });
  emit(stream, 'response.completed', {
    response: responseJson(stream.ids, 'completed', { output: items, usage: usageJson(step) }),
  });
}

export function writeFailed(stream: ResponseStream, error: { code: string; message: string }): void {
  emit(stream, 'response.failed', {
    response: responseJson(stream.ids, 'failed', { error }),
  });
}

export function errorBody(type: string, message: string, code: string): unknown {
  return { error: { message, type, param: null, code } };
}
