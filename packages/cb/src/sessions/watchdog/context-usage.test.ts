import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeContextTokens, codexContextTokens, contextWindowOf, sessionContextUsage } from './context-usage.js';

const assistant = (input: number, cacheRead: number, output: number) =>
  JSON.stringify({ type: 'assistant', message: { usage: { input_tokens: input, cache_read_input_tokens: cacheRead, cache_creation_input_tokens: 0, output_tokens: output } } });
const boundary = JSON.stringify({ type: 'system', subtype: 'compact_boundary', compactMetadata: { preTokens: 170_000 } });

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

describe('context usage from a Claude transcript', () => {
  it("should take the last request's input (cache included) plus its output, and forget it after a compaction", () => {
    expect(claudeContextTokens([assistant(100, 0, 20), assistant(1_000, 150_000, 2_000)].join('\n'))).toBe(153_000);
    expect(claudeContextTokens([assistant(1_000, 150_000, 2_000), boundary].join('\n'))).toBeNull();
    expect(claudeContextTokens([assistant(1_000, 150_000, 2_000), boundary, assistant(9_000, 0, 500)].join('\n'))).toBe(9_500);
    expect(claudeContextTokens('not json\n{"type":"user"}\n')).toBeNull();
  });

  it('should know the 1M window of a [1m] model and honour a configured one', () => {
    expect(contextWindowOf('sonnet', undefined)).toBe(200_000);
    expect(contextWindowOf('sonnet[1m]', undefined)).toBe(1_000_000);
    expect(contextWindowOf('sonnet', 500_000)).toBe(500_000);
  });

  it("should find a session's transcript under HOME and read only its end", async () => {
    root = mkdtempSync(join(tmpdir(), 'cb-context-'));
    const project = join(root, '.claude', 'projects', '-work-app');
    mkdirSync(project, { recursive: true });
    // Over 512 KiB of earlier turns: only the tail is read, and a cut first line is dropped.
    const filler = Array.from({ length: 4_000 }, (_, i) => JSON.stringify({ type: 'user', message: { content: `turn ${i} ${'x'.repeat(150)}` } }));
    writeFileSync(join(project, 'abc.jsonl'), [...filler, assistant(10, 160_000, 1_000)].join('\n') + '\n');
    const usage = await sessionContextUsage({ agent: 'claude', model: 'sonnet', agentSessionId: 'abc' }, { home: root });
    expect(usage).toMatchObject({ tokens: 161_010, window: 200_000, percent: 80 });
    expect(await sessionContextUsage({ agent: 'custom', model: null, agentSessionId: 'abc' }, { home: root })).toBeNull();
    expect(await sessionContextUsage({ agent: 'claude', model: null, agentSessionId: 'missing' }, { home: root })).toBeNull();
  });
});

describe('context usage from a Codex rollout', () => {
  const tokenCount = (total: number, window: number) =>
    JSON.stringify({ type: 'event_msg', payload: { type: 'token_count', info: { last_token_usage: { total_tokens: total }, model_context_window: window }, rate_limits: null } });

  it("should take the last token_count's last request against the window Codex reports", () => {
    expect(codexContextTokens([tokenCount(1_000, 272_000), JSON.stringify({ type: 'event_msg', payload: { type: 'token_count', info: null } }), tokenCount(240_000, 272_000)].join('\n'))).toEqual({ tokens: 240_000, window: 272_000 });
    expect(codexContextTokens('{"type":"session_meta"}')).toBeNull();
  });

  it("should find the thread's newest rollout under the Codex home", async () => {
    root = mkdtempSync(join(tmpdir(), 'cb-context-'));
    const day = join(root, '.codex', 'sessions', '2026', '11', '25');
    mkdirSync(day, { recursive: true });
    writeFileSync(join(day, 'rollout-2026-11-25T10-00-00-thread-1.jsonl'), `${tokenCount(230_000, 272_000)}\n`);
    expect(await sessionContextUsage({ agent: 'codex', model: 'gpt-5', agentSessionId: 'thread-1' }, { home: root })).toMatchObject({ tokens: 230_000, window: 272_000, percent: 84 });
    expect(await sessionContextUsage({ agent: 'codex', model: 'gpt-5', agentSessionId: 'thread-1' }, { home: '/nowhere', codexHome: join(root, '.codex') })).toMatchObject({ percent: 84 });
  });
});
