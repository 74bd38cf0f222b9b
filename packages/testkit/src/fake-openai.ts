import type { ServerResponse } from 'node:http';
import {
  hasTools,
  sendJson,
  sleep,
  startLoopbackServer,
  startSse,
  type ParsedRequest,
} from './http-server.js';
import {
  errorBody,
  outputItems,
  responseJson,
  writeCompleted,
  writeCreated,
  writeFailed,
  type ResponseIds,
  type ResponseStream,
} from './openai-wire.js';
import { createScenarioCursor, createScenarioRoutes } from './scenario-cursor.js';
import type { FakeServer, OpenAIScenario, OpenAIStep, OpenAIUsage, ReplyStep, RequestKind } from './types.js';

const FINAL_TEXT = 'done';
const SIDE_TEXT = 'Fake title';
const DEFAULT_MODEL = 'gpt-fake';

function classify(method: string, path: string, body: unknown): RequestKind {
  if (method !== 'POST' || !path.endsWith('/responses')) return 'other';
  return hasTools(body) ? 'main' : 'side';
}

function modelOf(body: unknown): string {
  const model = (body as { model?: unknown } | undefined)?.model;
  return typeof model === 'string' ? model : DEFAULT_MODEL;
}

interface ReplyContext {
  res: ServerResponse;
  ids: ResponseIds;
  streaming: boolean;
}

function requestIdHeaders(ids: ResponseIds, extra?: Record<string, string>): Record<string, string> {
  return { 'x-request-id': `req_fake_${ids.n}`, ...extra };
}

function sendReply(ctx: ReplyContext, step: ReplyStep<OpenAIUsage>): void {
  const headers = requestIdHeaders(ctx.ids, step.headers);
  if (!ctx.streaming) {
    const output = outputItems(step, ctx.ids);
    sendJson(ctx.res, 200, responseJson(ctx.ids, 'completed', { output }), headers);
    return;
  }
  startSse(ctx.res, headers);
  const stream: ResponseStream = { res: ctx.res, ids: ctx.ids, seq: 0 };
  writeCreated(stream);
  writeCompleted(stream, step);
  ctx.res.end();
}

async function answer(ctx: ReplyContext, step: OpenAIStep): Promise<void> {
  if (step.delayMs !== undefined) await sleep(step.delayMs);
  if ('hang' in step) return;
  const stream: ResponseStream = { res: ctx.res, ids: ctx.ids, seq: 0 };
  if ('stallAfterStart' in step) {
    startSse(ctx.res, requestIdHeaders(ctx.ids));
    writeCreated(stream);
    return;
  }
  if ('failed' in step) {
    startSse(ctx.res, requestIdHeaders(ctx.ids));
    writeCreated(stream);
    writeFailed(stream, step.failed);
    ctx.res.end();
    return;
  }
  if ('status' in step) {
    const body = errorBody(step.type, step.message, step.code ?? step.type);
    sendJson(ctx.res, step.status, body, requestIdHeaders(ctx.ids, step.headers));
    return;
  }
  sendReply(ctx, step);
}

/**
 * Starts a fake OpenAI Responses API on 127.0.0.1 (random port) that plays `scenario`.
 * Point Codex at it with `seedCodexHome(home, { baseUrl: api.url })`.
 *
 * @example
 * const api = await startFakeOpenAI([
 *   { text: 'Creating it.', toolUses: [{ name: 'exec_command', input: { cmd: 'echo hi > codex.txt' } }] },
 *   { text: 'Created codex.txt.' },
 * ]);
 */
export async function startFakeOpenAI(
  scenario: OpenAIScenario = [],
): Promise<FakeServer<OpenAIScenario>> {
  const cursor = createScenarioCursor<OpenAIStep>(scenario);
  const routed = createScenarioRoutes<OpenAIStep>();
  let responses = 0;
  const handle = async ({ res, record }: ParsedRequest): Promise<void> => {
    if (record.kind === 'other') {
      if (record.method === 'HEAD' || record.path === '/') res.writeHead(200).end();
      else sendJson(res, 404, errorBody('invalid_request_error', `No route ${record.path}`, 'not_found'));
      return;
    }
    responses += 1;
    const body = record.body as { stream?: unknown } | undefined;
    const ctx = { res, ids: { n: responses, model: modelOf(body) }, streaming: body?.stream === true };
    if (record.kind === 'side') {
      sendReply(ctx, { text: SIDE_TEXT });
      return;
    }
    await answer(ctx, routed.next(record, cursor) ?? { text: FINAL_TEXT });
  };
  const server = await startLoopbackServer({ classify, handle });
  return { ...server, setScenario: (next) => cursor.reset(next), routeBy: routed.routeBy, setScenarioFor: routed.setScenarioFor };
}
