import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCodexAdapter } from './codex.js';
import { codexFailure, codexUsage, createCodexAccumulator } from './codex-accumulator.js';
import { unwrapShellCommand } from './codex-transcript.js';
import type { LaunchInput, Progress } from './types.js';

const BASE: LaunchInput = {
  prompt: 'fix it',
  model: null,
  permissions: 'accept-edits',
  cwd: '/repo',
  resumeSessionId: null,
  isRoot: true,
};

function fixture(name: string): { argv: string[]; stdout: string } {
  return JSON.parse(readFileSync(new URL(`./fixtures/codex/${name}.json`, import.meta.url), 'utf8')) as {
    argv: string[];
    stdout: string;
  };
}

const line = (value: unknown) => JSON.stringify(value);

function progressOf(lines: readonly string[]): Progress {
  const accumulator = createCodexAccumulator();
  for (const l of lines) accumulator.push(l);
  return accumulator.progress();
}

describe('createCodexAdapter().launch', () => {
  const codex = createCodexAdapter();

  it('should run exec --json in workspace-write with stdin closed', () => {
    expect(codex.launch(BASE)).toEqual({
      argv: ['codex', 'exec', '--json', '--skip-git-repo-check', '-s', 'workspace-write', '-C', '/repo', '--', 'fix it'],
      stdin: { kind: 'null' },
      env: {},
      outputFormat: 'jsonl',
    });
  });

  it('should pass a model only when given and bypass the sandbox on request', () => {
    const argv = codex.launch({ ...BASE, model: 'gpt-5', permissions: 'bypass' }).argv;
    expect(argv).toEqual(['codex', 'exec', '--json', '--skip-git-repo-check', '-m', 'gpt-5', '--dangerously-bypass-approvals-and-sandbox', '-C', '/repo', '--', 'fix it']);
    expect(codex.launch({ ...BASE, permissions: 'allowlist' }).argv).toContain('workspace-write');
  });

  it('should resume with the argv verified against the real CLI', () => {
    const argv = codex.launch({ ...BASE, resumeSessionId: 'thread-1', prompt: '-dash second', cwd: '/TMP/repo' }).argv;
    expect(argv).toEqual(['codex', 'exec', '-C', '/TMP/repo', 'resume', '--json', '--skip-git-repo-check', '-c', 'sandbox_mode="workspace-write"', 'thread-1', '--', '-dash second']);
    const recorded = fixture('resume').argv;
    expect(argv.slice(0, -3)).toEqual(recorded.slice(0, -3));
  });
});

describe('createCodexAccumulator', () => {
  it('should sum turn usage with cached tokens split out of input', () => {
    const turn = line({ type: 'turn.completed', usage: { input_tokens: 3100, cached_input_tokens: 2500, cache_write_input_tokens: 7, output_tokens: 36 } });
    expect(progressOf([turn, turn]).usage).toEqual({ inputTokens: 1200, outputTokens: 72, cacheReadTokens: 5000, cacheWriteTokens: 14 });
    expect(codexUsage({ input_tokens: 10, cached_input_tokens: 20 }).inputTokens).toBe(0);
  });

  it('should not treat the model metadata notice as a failure', () => {
    const lines = fixture('dash-prompt').stdout.split('\n').filter(Boolean);
    const progress = progressOf(lines);
    expect(progress).toMatchObject({ lastWarning: null, model: 'gpt-fake', sawResult: true, resultIsError: false, toolCalls: 1 });
  });

  it('should keep a reconnect as a warning and the final error as the result', () => {
    const reconnect = line({ type: 'error', message: 'Reconnecting... 1/5 (stream disconnected before completion: idle timeout waiting for SSE)' });
    expect(progressOf([reconnect])).toMatchObject({ sawResult: false, lastWarning: { kind: 'overloaded' } });
    const failed = line({ type: 'turn.failed', error: { message: 'Quota exceeded. Check your plan and billing details.' } });
    expect(progressOf([reconnect, failed])).toMatchObject({ sawResult: true, resultIsError: true, lastWarning: { kind: 'billing' } });
  });

  it('should never throw on malformed lines', () => {
    const junk = ['', 'WARNING: x', '{"type":"item.completed"}', '{"type":"item.completed","item":{"type":5}}', '{"type":"turn.completed","usage":"lots"}', '{"type":"turn.failed","error":null}'];
    expect(() => progressOf(junk)).not.toThrow();
    expect(progressOf(junk)).toMatchObject({ sawResult: true, resultIsError: true, result: 'turn failed' });
  });
});

describe('codexFailure', () => {
  it.each([
    ['exceeded retry limit, last status: 429 Too Many Requests, request id: req_1', 'rate_limited'],
    ['rate limit exceeded: Rate limit reached for gpt-fake. Please try again in 1s.', 'rate_limited'],
    ['Quota exceeded. Check your plan and billing details.', 'billing'],
    ['unexpected status 401 Unauthorized: Incorrect API key provided: sk-test., url: http://127.0.0.1:5123/v1/responses, request id: req_2', 'auth_failed'],
    ['We’re currently experiencing high demand, which may cause temporary errors.', 'overloaded'],
    ['Selected model is at capacity. Please try a different model.', 'overloaded'],
    ['unexpected status 502 Bad Gateway: upstream', 'overloaded'],
    ["Codex ran out of room in the model's context window. Start a new thread or clear earlier history before retrying.", 'context_overflow'],
    ['stream disconnected before completion: idle timeout waiting for SSE', 'overloaded'],
    ['the model refused', 'task'],
  ])('should classify %j as %s', (message, kind) => {
    expect(codexFailure(message).kind).toBe(kind);
  });
});

describe('codex transcript', () => {
  const codex = createCodexAdapter();

  it('should show messages, the unwrapped command and the final answer', () => {
    const entries = codex.transcript(fixture('dash-prompt').stdout.split('\n').filter(Boolean));
    expect(entries.map(({ at: _at, ...rest }) => rest)).toEqual([
      { type: 'notice', text: expect.stringMatching(/^thread /) },
      { type: 'notice', text: expect.stringContaining('Model metadata for `gpt-fake` not found') },
      { type: 'text', text: 'Creating.' },
      { type: 'command', command: 'echo hi > codex.txt', output: '', exitCode: 0 },
      { type: 'text', text: 'Created codex.txt.' },
      { type: 'final', text: 'Created codex.txt.', isError: false },
    ]);
  });

  it('should show file changes, MCP calls and failures', () => {
    const lines = [
      line({ type: 'item.completed', item: { id: 'i1', type: 'file_change', changes: [{ path: 'a.ts', kind: 'update' }], status: 'completed' } }),
      line({ type: 'item.completed', item: { id: 'i2', type: 'mcp_tool_call', server: 'kb', tool: 'search', arguments: { q: 'x' }, error: { message: 'boom' }, status: 'failed' } }),
      line({ type: 'turn.failed', error: { message: 'rate limit exceeded' } }),
    ];
    expect(codex.transcript(lines)).toEqual([
      { type: 'edit', at: 0, path: 'a.ts', diff: '' },
      { type: 'tool_call', at: 1, id: 'i2', tool: 'kb.search', input: { q: 'x' } },
      { type: 'tool_result', at: 1, id: 'i2', output: 'boom', isError: true },
      { type: 'final', at: 2, text: 'rate limit exceeded', isError: true },
    ]);
  });

  it.each([
    ["/bin/bash -lc 'echo hi > codex.txt'", 'echo hi > codex.txt'],
    ["bash -lc 'echo '\\''quoted'\\'''", "echo 'quoted'"],
    ['/bin/zsh -lc "ls \\"x\\""', 'ls "x"'],
    ['git status', 'git status'],
  ])('should unwrap %j', (command, expected) => {
    expect(unwrapShellCommand(command)).toBe(expected);
  });
});
