import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createClaudeAdapter } from './claude.js';
import { createClaudeAccumulator } from './claude-accumulator.js';
import { claudeErrorKind } from './claude-outcome.js';
import { createClaudeTranscriber } from './claude-transcript.js';
import type { ExitRecord, LaunchInput, Progress } from './types.js';

const BASE: LaunchInput = {
  prompt: 'fix the bug',
  model: null,
  permissions: 'accept-edits',
  cwd: '/repo',
  resumeSessionId: null,
  isRoot: false,
};

const EXIT: ExitRecord = { exitCode: 1, signal: null, durationMs: 20_000, stoppedBy: null, spawnError: null };

function fixtureLines(name: string): string[] {
  const url = new URL(`./fixtures/claude/${name}.json`, import.meta.url);
  const fixture = JSON.parse(readFileSync(url, 'utf8')) as { stdout: string };
  return fixture.stdout.split('\n').filter((l) => l !== '');
}

function line(value: unknown): string {
  return JSON.stringify(value);
}

const assistant = (id: string, content: unknown[], usage = { input_tokens: 100, output_tokens: 1 }) =>
  line({ type: 'assistant', message: { id, model: 'claude-sonnet-5', content, usage }, session_id: 's1' });

function result(fields: Record<string, unknown>): string {
  return line({ type: 'result', subtype: 'success', is_error: false, session_id: 's1', permission_denials: [], ...fields });
}

function progressOf(lines: readonly string[]): Progress {
  const accumulator = createClaudeAccumulator({ now: () => Date.UTC(2030, 0, 1) });
  for (const l of lines) accumulator.push(l);
  return accumulator.progress();
}

describe('createClaudeAdapter().launch', () => {
  const claude = createClaudeAdapter();

  it('should default to sonnet and put the prompt after --', () => {
    expect(claude.launch(BASE)).toEqual({
      argv: ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--model', 'sonnet', '--permission-mode', 'acceptEdits', '--', 'fix the bug'],
      stdin: { kind: 'null' },
      env: {},
      outputFormat: 'stream-json',
    });
  });

  it('should pass the requested model', () => {
    expect(claude.launch({ ...BASE, model: 'opus' }).argv).toContain('opus');
    expect(claude.launch({ ...BASE, model: 'opus' }).argv).not.toContain('sonnet');
  });

  it('should set IS_SANDBOX only for bypass as root', () => {
    const asRoot = claude.launch({ ...BASE, permissions: 'bypass', isRoot: true });
    expect(asRoot.argv).toEqual(expect.arrayContaining(['--permission-mode', 'bypassPermissions']));
    expect(asRoot.env).toEqual({ IS_SANDBOX: '1' });
    expect(claude.launch({ ...BASE, permissions: 'bypass', isRoot: false }).env).toEqual({});
    expect(claude.launch({ ...BASE, permissions: 'accept-edits', isRoot: true }).env).toEqual({});
  });

  it('should map allowlist to default mode plus the tool list', () => {
    const argv = claude.launch({ ...BASE, permissions: 'allowlist', allowedTools: ['Bash(git *)', 'Edit'] } as LaunchInput).argv;
    expect(argv.slice(-7)).toEqual(['--permission-mode', 'default', '--allowedTools', 'Bash(git *)', 'Edit', '--', 'fix the bug']);
    expect(claude.launch({ ...BASE, permissions: 'allowlist' }).argv).not.toContain('--allowedTools');
    const configured = createClaudeAdapter({ allowedTools: ['Read'] }).launch({ ...BASE, permissions: 'allowlist' });
    expect(configured.argv).toEqual(expect.arrayContaining(['--allowedTools', 'Read']));
  });

  it('should add resume, json schema and budget flags', () => {
    const argv = claude.launch({ ...BASE, resumeSessionId: 'abc', jsonSchema: { type: 'object' }, budgetUsd: 2.5 }).argv;
    expect(argv).toEqual(expect.arrayContaining(['--resume', 'abc', '--json-schema', '{"type":"object"}', '--max-budget-usd', '2.5']));
    expect(argv.slice(-2)).toEqual(['--', 'fix the bug']);
    expect(claude.launch({ ...BASE, budgetUsd: null, jsonSchema: null }).argv).not.toContain('--max-budget-usd');
  });

  it('should use the configured command', () => {
    const adapter = createClaudeAdapter({ command: '/opt/bin/claude' });
    expect(adapter.command).toBe('/opt/bin/claude');
    expect(adapter.launch(BASE).argv[0]).toBe('/opt/bin/claude');
  });
});

describe('createClaudeAccumulator', () => {
  it('should deduplicate usage by message id until the result brings totals', () => {
    const text = { type: 'text', text: 'hi' };
    const tool = { type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } };
    const lines = [assistant('m1', [text]), assistant('m1', [tool]), assistant('m2', [text])];
    expect(progressOf(lines).usage).toEqual({ inputTokens: 200, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 });
    const usage = { input_tokens: 2500, output_tokens: 48, cache_read_input_tokens: 300, cache_creation_input_tokens: 50 };
    const done = progressOf([...lines, result({ result: 'ok', usage, total_cost_usd: 0.02 })]);
    expect(done.usage).toEqual({ inputTokens: 2500, outputTokens: 48, cacheReadTokens: 300, cacheWriteTokens: 50 });
    expect(done).toMatchObject({ costUsd: 0.02, toolCalls: 1, result: 'ok', sawResult: true, agentSessionId: 's1' });
  });

  it('should count modelUsage of side models', () => {
    const modelUsage = {
      'claude-sonnet-5': { inputTokens: 100, outputTokens: 20, cacheReadInputTokens: 5, cacheCreationInputTokens: 0 },
      'claude-haiku-4': { inputTokens: 50, outputTokens: 10, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
    };
    const progress = progressOf([result({ usage: { input_tokens: 100, output_tokens: 20 }, modelUsage })]);
    expect(progress.usage).toEqual({ inputTokens: 150, outputTokens: 30, cacheReadTokens: 5, cacheWriteTokens: 0 });
  });

  it('should warn on api_retry with the next try as reset time', () => {
    const retry = line({ type: 'system', subtype: 'api_retry', attempt: 1, max_retries: 2, retry_delay_ms: 2000, error_status: 429, error: 'rate_limit' });
    expect(progressOf([retry]).lastWarning).toEqual({
      kind: 'rate_limited',
      message: 'API retry 1/2: rate_limit (429), next try in 2.0s',
      httpStatus: 429,
      resetsAt: '2030-01-01T00:00:02.000Z',
    });
    const refused = line({ type: 'system', subtype: 'api_retry', attempt: 1, max_retries: 2, error_status: null, error: 'unknown' });
    expect(progressOf([refused]).lastWarning?.kind).toBe('overloaded');
  });

  it('should never throw on malformed lines', () => {
    const junk = ['', 'not json', '{', '[1,2]', 'null', line({ type: 'assistant', message: 7 }), line({ type: 'result', is_error: 'yes', usage: 'x', permission_denials: 'no' }), line({ type: 'user', message: { content: [1, null] } }), line({ type: 'rate_limit_event', rate_limit_info: null })];
    const progress = progressOf(junk);
    expect(progress.sawResult).toBe(true);
    expect(progress.resultIsError).toBe(false);
    expect(progress.tail.length).toBeGreaterThan(0);
    expect(() => createClaudeTranscriber().push('{"type":"user","message":{"content":"x"},"tool_use_result":5}')).not.toThrow();
  });

  it('should take the model from the assistant and ignore the synthetic one', () => {
    const init = line({ type: 'system', subtype: 'init', session_id: 's1', model: 'claude-opus-4-8[1m]' });
    const synthetic = line({ type: 'assistant', message: { id: 'x', model: '<synthetic>', content: [] }, error: 'rate_limit' });
    expect(progressOf([init]).model).toBe('claude-opus-4-8[1m]');
    expect(progressOf([init, assistant('m1', [])]).model).toBe('claude-sonnet-5');
    expect(progressOf([init, synthetic]).model).toBe('claude-opus-4-8[1m]');
  });
});

describe('claudeErrorKind', () => {
  const facts = { subtype: 'success', apiErrorStatus: null, text: '', errorCategory: null, resetsAt: null };

  it.each([
    [{ subtype: 'error_max_budget_usd' }, 'budget_exceeded'],
    [{ subtype: 'error_max_turns' }, 'task'],
    [{ subtype: 'error_during_execution', text: '[ede_diagnostic] stalled' }, 'task'],
    [{ text: 'Prompt is too long', errorCategory: 'invalid_request', apiErrorStatus: 400 }, 'context_overflow'],
    [{ errorCategory: 'oauth_org_not_allowed' }, 'auth_failed'],
    [{ apiErrorStatus: 502 }, 'overloaded'],
    [{ text: 'Request timed out' }, 'overloaded'],
    [{ text: 'something odd' }, 'task'],
  ] as const)('should classify %o as %s', (override, kind) => {
    expect(claudeErrorKind({ ...facts, ...override })).toBe(kind);
  });
});

describe('createClaudeAdapter().classify without a result', () => {
  const claude = createClaudeAdapter();
  const progress = progressOf([line({ type: 'system', subtype: 'init', session_id: 's1', model: 'm' })]);
  const classify = (exit: Partial<ExitRecord>, stderrTail = '') => claude.classify({ progress, exit: { ...EXIT, ...exit }, stderrTail });

  it('should say the CLI is missing on ENOENT', () => {
    const outcome = classify({ exitCode: null, spawnError: 'spawn claude ENOENT' });
    expect(outcome.failure?.kind).toBe('crashed');
    expect(outcome.failure?.message).toMatch(/claude CLI is not installed.*npm i -g @anthropic-ai\/claude-code/);
  });

  it.each([
    [{ stoppedBy: 'wall_timeout' as const, exitCode: null, signal: 'SIGTERM' }, 'timeout'],
    [{ stoppedBy: 'idle_timeout' as const, exitCode: 143 }, 'timeout'],
    [{ stoppedBy: 'budget' as const, exitCode: 143 }, 'budget_exceeded'],
    [{ stoppedBy: 'cancel' as const, exitCode: 143 }, 'interrupted'],
    [{ stoppedBy: 'hangup' as const, exitCode: 143 }, 'interrupted'],
    [{ exitCode: 143 }, 'interrupted'],
    [{ exitCode: null, signal: 'SIGKILL' }, 'interrupted'],
    [{ exitCode: 1, durationMs: 900 }, 'fast_fail'],
    [{ exitCode: 1, durationMs: 60_000 }, 'crashed'],
    [{ exitCode: 0, durationMs: 60_000 }, 'crashed'],
  ])('should classify %o as %s', (exit, kind) => {
    expect(classify(exit).failure?.kind).toBe(kind);
  });

  it('should say which timeout stopped the run', () => {
    expect(classify({ stoppedBy: 'wall_timeout' }).failure).toMatchObject({ kind: 'timeout', timeout: 'wall' });
    expect(classify({ stoppedBy: 'idle_timeout' }).failure).toMatchObject({ kind: 'timeout', timeout: 'idle' });
  });

  it('should quote stderr for an unknown option', () => {
    const failure = classify({ exitCode: 1, durationMs: 400 }, "error: unknown option '--bogus'\n").failure;
    expect(failure?.kind).toBe('fast_fail');
    expect(failure?.message).toContain("error: unknown option '--bogus'");
    expect(failure?.rawTail).toContain("unknown option '--bogus'");
  });
});

describe('claude transcript', () => {
  const claude = createClaudeAdapter();

  it('should turn Write, Edit and Bash into edits and commands', () => {
    const entries = claude.transcript(fixtureLines('edit-bash'));
    const edits = entries.filter((e) => e.type === 'edit');
    expect(edits).toEqual([
      { type: 'edit', at: expect.any(Number), path: 'src/new.txt', diff: '--- /dev/null\n+++ b/src/new.txt\n@@ -0,0 +1,2 @@\n+alpha\n+beta' },
      { type: 'edit', at: expect.any(Number), path: 'notes.txt', diff: '--- a/notes.txt\n+++ b/notes.txt\n@@ -1,3 +1,4 @@\n one\n-two\n+TWO\n+three\n four' },
    ]);
    expect(entries.filter((e) => e.type === 'command')).toEqual([
      { type: 'command', at: expect.any(Number), command: 'cat notes.txt && ls missing-dir', output: "one\nTWO\nthree\nfour\nls: cannot access 'missing-dir': No such file or directory", exitCode: 2 },
      { type: 'command', at: expect.any(Number), command: 'echo ok', output: 'ok', exitCode: 0 },
    ]);
    expect(entries.map((e) => e.type)).toEqual([
      'notice', 'text', 'tool_call', 'tool_result', 'tool_call', 'edit', 'text', 'tool_call', 'edit', 'tool_call', 'command', 'tool_call', 'command', 'text', 'final',
    ]);
    expect(entries.at(-1)).toMatchObject({ type: 'final', text: 'Done editing.', isError: false });
  });

  it('should show diffs from a result line read on its own', () => {
    const editResult = fixtureLines('edit-bash').find((l) => l.includes('"structuredPatch":[{'))!;
    expect(createClaudeTranscriber().push(editResult)).toEqual([
      expect.objectContaining({ type: 'edit', path: 'notes.txt', at: 0 }),
    ]);
  });

  it('should build a small diff from old_string/new_string when there is no patch', () => {
    const use = assistant('m1', [{ type: 'tool_use', id: 't1', name: 'Edit', input: { file_path: 'a.ts', old_string: 'a\nb\nc', new_string: 'a\nB\nc' } }]);
    const done = line({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] } });
    expect(claude.transcript([use, done])[1]).toEqual({ type: 'edit', at: 1, path: 'a.ts', diff: '--- a/a.ts\n+++ b/a.ts\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c' });
  });

  it('should keep denied tools as error results and note the denial', () => {
    const use = assistant('m1', [{ type: 'tool_use', id: 't1', name: 'Write', input: { file_path: 'x', content: 'y' } }]);
    const denied = line({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't1', content: 'Claude requested permissions to write to /r/x', is_error: true }] }, tool_use_result: 'Error: …' });
    const end = result({ result: 'blocked', permission_denials: [{ tool_name: 'Write', tool_use_id: 't1', tool_input: {} }] });
    expect(claude.transcript([use, denied, end]).slice(1)).toEqual([
      { type: 'tool_result', at: 1, id: 't1', output: 'Claude requested permissions to write to /r/x', isError: true },
      { type: 'notice', at: 2, text: 'permission denied: Write' },
      { type: 'final', at: 2, text: 'blocked', isError: false },
    ]);
  });

  it('should turn non-JSON output into notices', () => {
    expect(claude.transcript(["error: unknown option '--bogus'", '  '])).toEqual([{ type: 'notice', at: 0, text: "error: unknown option '--bogus'" }]);
  });
});
