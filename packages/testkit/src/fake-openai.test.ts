import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from './fake-openai.js';
import type { FakeServer, OpenAIScenario } from './types.js';

let api: FakeServer<OpenAIScenario> | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(scenario: OpenAIScenario): Promise<FakeServer<OpenAIScenario>> {
  api = await startFakeOpenAI(scenario);
  return api;
}

function post(server: FakeServer<OpenAIScenario>): Promise<Response> {
  return fetch(`${server.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify({ model: 'gpt-test', stream: true, tools: [{ type: 'function', name: 'exec_command' }] }),
  });
}

/** The `data` payloads of an SSE body (each carries its own `type`). */
async function sseData(res: Response): Promise<Record<string, unknown>[]> {
  const text = await res.text();
  return [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1] ?? '{}') as Record<string, unknown>);
}

describe('startFakeOpenAI', () => {
  it('should stream message and function_call items in the Responses API SSE format', async () => {
    const server = await start([{ text: 'Creating.', toolUses: [{ name: 'exec_command', input: { cmd: 'true' } }] }]);
    const events = await sseData(await post(server));
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.output_item.added',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[4]).toMatchObject({
      item: { type: 'function_call', name: 'exec_command', arguments: '{"cmd":"true"}', call_id: 'call_fake_1_0' },
    });
    expect(events[5]).toMatchObject({
      response: { status: 'completed', usage: { input_tokens: 100, output_tokens: 20, total_tokens: 120 } },
    });
    expect(server.requests[0]).toMatchObject({ kind: 'main', path: '/v1/responses' });
  });

  it('should answer error steps with the OpenAI error envelope', async () => {
    const server = await start([{ status: 429, type: 'insufficient_quota', message: 'quota' }]);
    const res = await post(server);
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({
      error: { message: 'quota', type: 'insufficient_quota', param: null, code: 'insufficient_quota' },
    });
  });

  it('should end a failed step with response.failed carrying the error code', async () => {
    const server = await start([{ failed: { code: 'context_length_exceeded', message: 'too long' } }]);
    const events = await sseData(await post(server));
    expect(events.map((e) => e.type)).toEqual(['response.created', 'response.failed']);
    expect(events[1]).toMatchObject({ response: { status: 'failed', error: { code: 'context_length_exceeded' } } });
    const done = await sseData(await post(server));
    expect(done.at(-1)).toMatchObject({ response: { output: [{ content: [{ text: 'done' }] }] } });
  });
});
