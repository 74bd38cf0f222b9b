import { describe, expect, it } from 'vitest';
import { createCustomAdapter } from './custom.js';
import { CustomAgentDefinitionSchema, parseCustomAgents, type CustomAgentDefinition } from './custom-definition.js';
import { AgentConfigError, createAgentRegistry } from './registry.js';
import type { ExitRecord, LaunchInput } from './types.js';

const INPUT: LaunchInput = {
  prompt: 'say "hi" && rm -rf /',
  model: 'ignored',
  permissions: 'bypass',
  cwd: '/repo',
  resumeSessionId: null,
  isRoot: true,
};
const OK: ExitRecord = { exitCode: 0, signal: null, durationMs: 30_000, stoppedBy: null, spawnError: null };

function define(overrides: Partial<CustomAgentDefinition>): CustomAgentDefinition {
  return CustomAgentDefinitionSchema.parse({ name: 'tool', argv: ['tool'], ...overrides });
}

function runLines(definition: CustomAgentDefinition, lines: readonly string[], exit: Partial<ExitRecord> = {}) {
  const adapter = createCustomAdapter(definition);
  const accumulator = adapter.createAccumulator();
  for (const line of lines) accumulator.push(line);
  const progress = accumulator.progress();
  return { progress, outcome: adapter.classify({ progress, exit: { ...OK, ...exit }, stderrTail: '' }) };
}

describe('createCustomAdapter().launch', () => {
  it('should replace {prompt} with the prompt as one argument', () => {
    const launch = createCustomAdapter(define({ argv: ['aider', '--message', '{prompt}', '--yes'], env: { A: '1' } })).launch(INPUT);
    expect(launch).toEqual({
      argv: ['aider', '--message', 'say "hi" && rm -rf /', '--yes'],
      stdin: { kind: 'null' },
      env: { A: '1' },
      outputFormat: 'text',
    });
  });

  it('should append the prompt when argv has no placeholder', () => {
    expect(createCustomAdapter(define({ argv: ['llm', '-m', 'x'] })).launch(INPUT).argv).toEqual(['llm', '-m', 'x', INPUT.prompt]);
  });

  it('should write the prompt to stdin when asked', () => {
    const launch = createCustomAdapter(define({ argv: ['llm'], promptVia: 'stdin' })).launch(INPUT);
    expect(launch.argv).toEqual(['llm']);
    expect(launch.stdin).toEqual({ kind: 'text', text: INPUT.prompt });
  });
});

describe('createCustomAdapter() output', () => {
  it('should take the last lines of text output as the answer', () => {
    const { outcome } = runLines(define({}), ['\u001b[32mthinking…\u001b[0m', '', 'The answer', 'is 42.', '']);
    expect(outcome).toEqual({ status: 'succeeded', failure: null, result: 'thinking…\n\nThe answer\nis 42.' });
  });

  it('should take the result line of jsonl output', () => {
    const lines = ['{"type":"text","text":"working"}', '{"type":"tool_call","name":"sh","input":{"cmd":"ls"}}', '{"type":"result","text":"done it","session_id":"s9"}', 'stray'];
    const definition = define({ outputFormat: 'jsonl' });
    const { progress, outcome } = runLines(definition, lines);
    expect(progress).toMatchObject({ agentSessionId: 's9', toolCalls: 1, sawResult: true });
    expect(outcome).toEqual({ status: 'succeeded', failure: null, result: 'done it' });
    expect(createCustomAdapter(definition).transcript(lines)).toEqual([
      { type: 'text', at: 0, text: 'working' },
      { type: 'tool_call', at: 1, id: 'line-1', tool: 'sh', input: { cmd: 'ls' } },
      { type: 'final', at: 2, text: 'done it', isError: false },
      { type: 'notice', at: 3, text: 'stray' },
    ]);
  });

  it('should fall back to the last text without a result line', () => {
    expect(runLines(define({ outputFormat: 'jsonl' }), ['{"type":"text","text":"a"}', '{"type":"text","text":"b"}']).outcome.result).toBe('b');
  });

  it('should classify a jsonl error result', () => {
    const { outcome } = runLines(define({ outputFormat: 'jsonl' }), ['{"type":"result","is_error":true,"text":"429 Too Many Requests"}']);
    expect(outcome.failure?.kind).toBe('rate_limited');
  });

  it('should parse stream-json like Claude', () => {
    const lines = ['{"type":"result","subtype":"success","is_error":true,"api_error_status":401,"result":"Invalid API key"}'];
    expect(runLines(define({ outputFormat: 'stream-json' }), lines, { exitCode: 1 }).outcome.failure?.kind).toBe('auth_failed');
  });

  it.each([
    [{ exitCode: 2, durationMs: 300 }, 'fast_fail'],
    [{ exitCode: 2, durationMs: 30_000 }, 'crashed'],
    [{ exitCode: null, signal: 'SIGTERM' }, 'interrupted'],
    [{ exitCode: 0, stoppedBy: 'wall_timeout' as const }, 'timeout'],
    [{ exitCode: null, spawnError: 'spawn tool ENOENT' }, 'crashed'],
  ])('should classify exit %o as %s', (exit, kind) => {
    expect(runLines(define({}), ['partial'], exit).outcome.failure?.kind).toBe(kind);
  });

  it('should say how to fix a missing executable', () => {
    const { outcome } = runLines(define({}), [], { exitCode: null, spawnError: 'spawn tool ENOENT' });
    expect(outcome.failure?.message).toContain('fix "agents.tool.argv"');
  });
});

describe('CustomAgentDefinitionSchema', () => {
  it('should apply defaults', () => {
    expect(CustomAgentDefinitionSchema.parse({ name: 'x', argv: ['x'] })).toEqual({ name: 'x', argv: ['x'], promptVia: 'arg', outputFormat: 'text' });
  });

  it.each([
    [{ name: 'claude', argv: ['x'] }, 'built-in'],
    [{ name: 'x', argv: [] }, 'at least the executable'],
    [{ name: 'x', argv: ['{prompt}'] }, 'must be the executable'],
    [{ name: 'x', argv: ['x'], promptvia: 'arg' }, 'promptvia'],
    [{ name: 'x', argv: ['x'], env: { 'BAD-KEY': '1' } }, 'environment variable'],
    [{ name: 'Bad Name', argv: ['x'] }, 'lowercase'],
  ])('should reject %o', (value, message) => {
    const parsed = CustomAgentDefinitionSchema.safeParse(value);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(message);
  });
});

describe('parseCustomAgents', () => {
  it('should read the config record and report every problem with its path', () => {
    expect(parseCustomAgents({ echo: { argv: ['echo'] }, claude: undefined })).toEqual({
      ok: true,
      value: [{ name: 'echo', argv: ['echo'], promptVia: 'arg', outputFormat: 'text' }],
    });
    expect(parseCustomAgents({ a: { argv: [] }, codex: { argv: ['x'] }, b: { name: 'c', argv: ['x'] }, d: 'nope' })).toEqual({
      ok: false,
      issues: [
        'agents.a.argv: argv needs at least the executable',
        'agents.codex.name: is the name of a built-in agent',
        'agents.b.name: must be "b" (the key) or left out',
        expect.stringMatching(/^agents\.d: /),
      ],
    });
  });
});

describe('createAgentRegistry', () => {
  it('should hold the built-ins and the custom agents', () => {
    const agents = createAgentRegistry({ echo: { argv: ['echo'], outputFormat: 'text' } });
    expect(agents.names()).toEqual(['claude', 'codex', 'echo']);
    expect(agents.get('claude')?.command).toBe('claude');
    expect(agents.get('echo')?.launch(INPUT).argv).toEqual(['echo', INPUT.prompt]);
    expect(agents.get('nope')).toBeUndefined();
  });

  it('should accept a list of definitions and built-in keys without a definition', () => {
    expect(createAgentRegistry([{ name: 'x', argv: ['x'] }]).names()).toEqual(['claude', 'codex', 'x']);
    expect(createAgentRegistry({ claude: undefined }).names()).toEqual(['claude', 'codex']);
    expect(createAgentRegistry().get('codex')?.name).toBe('codex');
  });

  it('should use configured built-in commands', () => {
    const agents = createAgentRegistry({}, { claudeCommand: '/bin/claude-x', codexCommand: '/bin/codex-x' });
    expect(agents.get('claude')?.launch(INPUT).argv[0]).toBe('/bin/claude-x');
    expect(agents.get('codex')?.command).toBe('/bin/codex-x');
  });

  it('should throw AGENT_CONFIG_INVALID for bad definitions', () => {
    expect(() => createAgentRegistry({ claude: { argv: ['x'] } })).toThrow(AgentConfigError);
    expect(() => createAgentRegistry([{ name: 'x', argv: ['x'] }, { name: 'x', argv: ['y'] }])).toThrow(/defined twice/);
    const thrown = (() => {
      try {
        createAgentRegistry({ bad: { argv: 'x' } });
        return null;
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toMatchObject({ code: 'AGENT_CONFIG_INVALID', issues: [expect.stringMatching(/^agents\.bad\.argv/)] });
  });
});
