import type { ServerResponse } from 'node:http';
import {
  errorBody,
  messageJson,
  writeMessageRest,
  writeMessageStart,
  type MessageIds,
} from './anthropic-wire.js';
import {
  hasTools,
  sendJson,
  sleep,
  startLoopbackServer,
  startSse,
  type ParsedRequest,
} from './http-server.js';
import { createScenarioCursor, createScenarioRoutes } from './scenario-cursor.js';
import type {
  AnthropicScenario,
  AnthropicStep,
  AnthropicUsage,
  FakeServer,
  ReplyStep,
  RequestKind,
} from './types.js';

/** Text of the reply once the script is exhausted. */
const FINAL_TEXT = 'done';
/** Text answered to side requests (no `tools`), e.g. title generation. */
const SIDE_TEXT = 'Fake title';

const DEFAULT_MODEL = 'claude-fake';

export interface UnifiedRateLimitOptions {
  /** Unix seconds; the CLI prints it as `resets <date>` and emits it as `resetsAt`. */
  resetsAt: number;
  /** `anthropic-ratelimit-unified-representative-claim` (default `five_hour`). */
  claim?: string;
  /** `anthropic-ratelimit-unified-overage-status` (default `rejected`). */
  overageStatus?: string;
}

/**
 * Response headers of a subscription (OAuth) usage-limit rejection. Claude Code needs
 * `…-unified-status: rejected` for the `rate_limit_event`, `…-unified-reset` for `resetsAt`,
 * and the claim or overage-status header for the `You've hit your … limit` text; with only the
 * first two it prints `Server is temporarily limiting requests (not your usage limit)`.
 *
 * @example
 * { status: 429, type: 'rate_limit_error', message: 'limit', headers: unifiedRateLimitHeaders({ resetsAt: 1900000000 }) }
 */
export function unifiedRateLimitHeaders(options: UnifiedRateLimitOptions): Record<string, string> {
  return {
    'anthropic-ratelimit-unified-status': 'rejected',
    'anthropic-ratelimit-unified-reset': String(options.resetsAt),
    'anthropic-ratelimit-unified-representative-claim': options.claim ?? 'five_hour',
    'anthropic-ratelimit-unified-overage-status': options.overageStatus ?? 'rejected',
  };
}

function classify(method: string, path: string, body: unknown): RequestKind {
  if (method !== 'POST' || !path.endsWith('/messages')) return 'other';
  return hasTools(body) ? 'main' : 'side';
}

function modelOf(body: unknown): string {
  const model = (body as { model?: unknown } | undefined)?.model;
  return typeof model === 'string' ? model : DEFAULT_MODEL;
}

function isStreaming(body: unknown): boolean {
  return (body as { stream?: unknown } | undefined)?.stream === true;
}

interface ReplyContext {
  res: ServerResponse;
  ids: MessageIds;
  streaming: boolean;
}

function sendReply(ctx: ReplyContext, step: ReplyStep<AnthropicUsage>): void {
  const headers = { 'request-id': `req_fake_${ctx.ids.n}`, ...step.headers };
  if (!ctx.streaming) {
    sendJson(ctx.res, 200, messageJson(step, ctx.ids), headers);
    return;
  }
  startSse(ctx.res, headers);
  writeMessageStart(ctx.res, step, ctx.ids);
  writeMessageRest(ctx.res, step, ctx.ids);
  ctx.res.end();
}

async function answer(ctx: ReplyContext, step: AnthropicStep): Promise<void> {
  if (step.delayMs !== undefined) await sleep(step.delayMs);
  if ('hang' in step) return;
  if ('stallAfterStart' in step) {
    if (!ctx.streaming) return;
    startSse(ctx.res, { 'request-id': `req_fake_${ctx.ids.n}` });
    writeMessageStart(ctx.res, {}, ctx.ids);
    return;
  }
  if ('status' in step) {
    const requestId = `req_fake_${ctx.ids.n}`;
    sendJson(ctx.res, step.status, errorBody(step.type, step.message, requestId), {
      'request-id': requestId,
      ...step.headers,
    });
    return;
  }
  sendReply(ctx, step);
}

/**
 * Starts a fake Anthropic Messages API on 127.0.0.1 (random port) that plays `scenario`.
 *
 * @example
 * const api = await startFakeAnthropic([
 *   { text: 'Writing.', toolUses: [{ name: 'Write', input: { file_path: 'a.txt', content: 'hi\n' } }] },
 *   { text: 'Done.' },
 * ]);
 * // ANTHROPIC_BASE_URL=api.url … then: api.requests, await api.close()
 */
export async function startFakeAnthropic(
  scenario: AnthropicScenario = [],
): Promise<FakeServer<AnthropicScenario>> {
  const cursor = createScenarioCursor<AnthropicStep>(scenario);
  const routed = createScenarioRoutes<AnthropicStep>();
  let responses = 0;
  const handle = async ({ req, res, record }: ParsedRequest): Promise<void> => {
    if (record.kind === 'other') {
      // `HEAD /` is the CLI's connectivity pre-check; anything else is unknown to the fake.
      if (req.method === 'HEAD' || record.path === '/') res.writeHead(200).end();
      else sendJson(res, 404, errorBody('not_found_error', `No route ${record.path}`, 'req_fake_0'));
      return;
    }
    responses += 1;
    const ctx = { res, ids: { n: responses, model: modelOf(record.body) }, streaming: isStreaming(record.body) };
    if (record.kind === 'side') {
      sendReply(ctx, { text: SIDE_TEXT });
      return;
    }
    await answer(ctx, routed.next(record, cursor) ?? { text: FINAL_TEXT });
  };
  const server = await startLoopbackServer({ classify, handle });
  return { ...server, setScenario: (next) => cursor.reset(next), routeBy: routed.routeBy, setScenarioFor: routed.setScenarioFor };
}
