// Tests only: the fake Bot API's HTTP side — `/bot<token>/<method>` calls answered with
// `{ok:true,result}` or `{ok:false,error_code,description[,parameters]}` (the HTTP status is the
// error code, as Telegram's), `/file/bot<token>/<path>` downloads, and simulated floods (429).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseParams, readBody, type RequestParams } from './bot-api-body.test-support.js';
import type { FakeBotState } from './bot-api-methods.test-support.js';
import { ApiError } from './bot-api-wire.test-support.js';

export interface ApiCall {
  method: string;
  /** Parameters without uploaded bytes. */
  params: Record<string, unknown>;
  /** `ok` or the error code answered. */
  outcome: 'ok' | number;
}

/** The next `left` calls of `method` (or of any method) answer 429 with `retry_after`. */
export interface Flood {
  method: string | undefined;
  retryAfter: number;
  left: number;
}

export interface BotApiHandlerDeps {
  token: string;
  botInfo: object;
  state: FakeBotState;
  calls: ApiCall[];
  floods: Flood[];
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (response.writableEnded || response.destroyed) return;
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function methodHandlers(deps: BotApiHandlerDeps, params: RequestParams, response: ServerResponse): Record<string, () => unknown> {
  const { state } = deps;
  return {
    getme: () => deps.botInfo,
    getupdates: () => state.getUpdates(params.fields, (cancel) => response.on('close', cancel)),
    sendmessage: () => state.sendMessage(params.fields),
    editmessagetext: () => state.editMessageText(params.fields),
    editmessagereplymarkup: () => state.editMessageReplyMarkup(params.fields),
    answercallbackquery: () => state.answerCallbackQuery(params.fields),
    senddocument: () => state.sendDocument(params),
    getfile: () => state.getFile(params.fields),
    deletemessage: () => state.deleteMessage(params.fields),
    setwebhook: () => state.setWebhook(params.fields),
    deletewebhook: () => state.deleteWebhook(params.fields),
    getwebhookinfo: () => state.getWebhookInfo(),
    setmycommands: () => state.setMyCommands(params.fields),
    getmycommands: () => state.commands,
    deletemycommands: () => ((state.commands = []), true),
    sendchataction: () => state.sendChatAction(params.fields),
    close: () => true,
    logout: () => true,
  };
}

async function callMethod(deps: BotApiHandlerDeps, method: string, request: IncomingMessage, response: ServerResponse, url: URL): Promise<unknown> {
  const params = parseParams(url, request.headers['content-type'], await readBody(request));
  const call: ApiCall = { method, params: params.fields, outcome: 'ok' };
  deps.calls.push(call);
  try {
    const flood = deps.floods.find((f) => f.left > 0 && (f.method === undefined || f.method.toLowerCase() === method.toLowerCase()));
    if (flood) {
      flood.left -= 1;
      throw new ApiError(429, `Too Many Requests: retry after ${flood.retryAfter}`, { retry_after: flood.retryAfter });
    }
    // Telegram's method names are case-insensitive.
    const handler = methodHandlers(deps, params, response)[method.toLowerCase()];
    if (!handler) throw new ApiError(404, 'Not Found');
    return await handler();
  } catch (error) {
    call.outcome = error instanceof ApiError ? error.errorCode : 400;
    throw error;
  }
}

export function createBotApiHandler(deps: BotApiHandlerDeps): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const api = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    const tokenOf = api?.[1] ?? file?.[1];
    if (tokenOf === undefined) return send(response, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (tokenOf !== deps.token) return send(response, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    if (file) {
      const stored = [...deps.state.files.values()].find((candidate) => candidate.path === decodeURIComponent(file[2]!));
      if (!stored) return send(response, 404, { ok: false, error_code: 404, description: 'Not Found' });
      response.writeHead(200, { 'content-type': stored.mimeType, 'content-length': stored.bytes.length });
      response.end(stored.bytes);
      return;
    }
    try {
      send(response, 200, { ok: true, result: await callMethod(deps, api![2]!, request, response, url) });
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(400, `Bad Request: ${(error as Error).message}`);
      send(response, apiError.errorCode, { ok: false, error_code: apiError.errorCode, description: apiError.description, ...(apiError.parameters ? { parameters: apiError.parameters } : {}) });
    }
  };
}

/** A webhook may answer with one method call in its response body; Telegram performs it. */
export async function performWebhookReply(apiRoot: string, token: string, reply: unknown): Promise<void> {
  if (typeof reply !== 'object' || reply === null || typeof (reply as { method?: unknown }).method !== 'string') return;
  const { method, ...fields } = reply as Record<string, unknown> & { method: string };
  await fetch(`${apiRoot}/bot${token}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) }).catch(() => undefined);
}
