import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, unifiedRateLimitHeaders } from './fake-anthropic.js';
import type { AnthropicScenario, FakeServer } from './types.js';

const TOOLS = [{ name: 'Write', input_schema: { type: 'object' } }];

let api: FakeServer<AnthropicScenario> | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(scenario: AnthropicScenario): Promise<FakeServer<AnthropicScenario>> {
  api = await startFakeAnthropic(scenario);
  return api;
}

function post(server: FakeServer<AnthropicScenario>, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-test' },
    body: JSON.stringify({ model: 'claude-test', messages: [], ...body }),
  });
}

function mainLoop(stream = true): Record<string, unknown> {
  return { stream, tools: TOOLS };
}

/** `[event, data]` pairs of an SSE body. */
function sseEvents(text: string): [string, Record<string, unknown>][] {
  return text
    .split('\n\n')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => {
      const event = /^event: (.*)$/m.exec(chunk)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(chunk)?.[1] ?? '{}') as Record<string, unknown>;
      return [event, data];
    });
}

describe('startFakeAnthropic', () => {
  it('should stream text and tool_use blocks in the Messages API SSE format', async () => {
    const server = await start([{ text: 'Writing.', toolUses: [{ name: 'Write', input: { file_path: 'a.txt' } }] }]);
    const res = await post(server, mainLoop());
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = sseEvents(await res.text());
    expect(events.map(([event]) => event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[5]?.[1]).toEqual({
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'input_json_delta', partial_json: '{"file_path":"a.txt"}' },
    });
    expect(events[7]?.[1]).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 20 } });
  });

  it('should advance only on main-loop requests and say "done" once the script is exhausted', async () => {
    const server = await start([{ text: 'first' }]);
    const side = (await (await post(server, { stream: false })).json()) as { content: { text: string }[] };
    const first = (await (await post(server, mainLoop(false))).json()) as { content: { text: string }[] };
    const after = (await (await post(server, mainLoop(false))).json()) as { content: { text: string }[] };
    expect([side, first, after].map((m) => m.content[0]?.text)).toEqual(['Fake title', 'first', 'done']);
    expect(server.requests.map((r) => r.kind)).toEqual(['side', 'main', 'main']);
    expect(server.requests[1]).toMatchObject({ method: 'POST', path: '/v1/messages', url: '/v1/messages?beta=true' });
    expect(server.requests[1]?.headers['x-api-key']).toBe('sk-test');
  });

  it('should answer error steps with the error envelope and extra headers, repeating as asked', async () => {
    const headers = unifiedRateLimitHeaders({ resetsAt: 1900000000 });
    const server = await start([{ status: 429, type: 'rate_limit_error', message: 'slow down', headers, repeat: 2 }]);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await post(server, mainLoop())).status);
    expect(statuses).toEqual([429, 429, 200]);
    server.setScenario([{ status: 401, type: 'authentication_error', message: 'invalid x-api-key', headers }]);
    const error = await post(server, mainLoop());
    expect(error.headers.get('anthropic-ratelimit-unified-reset')).toBe('1900000000');
    expect(await error.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
  });

  it('should wait delayMs before answering', async () => {
    const server = await start([{ delayMs: 200, text: 'late' }]);
    const started = Date.now();
    const message = (await (await post(server, mainLoop(false))).json()) as { content: { text: string }[] };
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(message.content).toEqual([{ type: 'text', text: 'late' }]);
  });

  it('should answer HEAD / with 200 and keep a stalled stream open after message_start', async () => {
    const server = await start([{ stallAfterStart: true }]);
    expect((await fetch(server.url, { method: 'HEAD' })).status).toBe(200);
    const res = await post(server, mainLoop());
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: message_start');
    const next = await Promise.race([reader.read(), new Promise((resolve) => setTimeout(() => resolve('silent'), 300))]);
    expect(next).toBe('silent');
    await reader.cancel();
  });
});

describe('startFakeAnthropic routed by client', () => {
  it('should play each client its own script and everyone else the shared one', async () => {
    const server = await start([{ text: 'shared 1' }, { text: 'shared 2' }]);
    server.routeBy((request) => /client-(\w+)/.exec(JSON.stringify(request.body))?.[1] ?? null);
    server.setScenarioFor('a', [{ text: 'a 1' }, { status: 429, type: 'rate_limit_error', message: 'slow down' }]);
    const text = async (system: string): Promise<string> => {
      const response = await post(server, { ...mainLoop(false), system });
      const body = (await response.json()) as { content?: { text?: string }[]; error?: { type: string } };
      return body.error ? `${response.status} ${body.error.type}` : (body.content?.[0]?.text ?? '');
    };
    expect(await text('cwd /tmp/client-a')).toBe('a 1');
    expect(await text('cwd /tmp/client-b')).toBe('shared 1');
    expect(await text('no client here')).toBe('shared 2');
    expect(await text('cwd /tmp/client-a')).toBe('429 rate_limit_error');
    expect(await text('cwd /tmp/client-a')).toBe('done');
    server.setScenarioFor('a', [{ text: 'a again' }]);
    expect(await text('cwd /tmp/client-a')).toBe('a again');
  });
});
