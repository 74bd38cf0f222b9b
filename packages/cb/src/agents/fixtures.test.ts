import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FailureSchema, TranscriptEntrySchema, type FailureKind } from '@flotilla/protocol';
import { createClaudeAdapter } from './claude.js';
import { createCodexAdapter } from './codex.js';
import type { AgentAdapter, Outcome, Progress } from './types.js';

/**
 * Every recorded run of the real CLIs → the outcome it must classify as.
 * `test-fixtures/` holds the testkit recordings; `src/agents/fixtures/` a few extra real recordings
 * made while writing the adapters (an Edit + Bash run, resumes, a prompt starting with `-`).
 */
const EXPECTED: Readonly<Record<string, FailureKind | 'succeeded'>> = {
  'claude/success': 'succeeded',
  'claude/success-with-tool': 'succeeded',
  'claude/rate-limit-then-success': 'succeeded',
  'claude/edit-bash': 'succeeded',
  'claude/resume': 'succeeded',
  'claude/permission-denials': 'permission_denied',
  'claude/rate-limit-429': 'rate_limited',
  'claude/rate-limit-subscription': 'rate_limited',
  'claude/auth-401': 'auth_failed',
  'claude/auth-403': 'auth_failed',
  'claude/no-key': 'auth_failed',
  'claude/billing-400': 'billing',
  'claude/model-404': 'model_not_found',
  'claude/overloaded-529': 'overloaded',
  'claude/server-500': 'overloaded',
  'claude/connection-refused': 'overloaded',
  'claude/max-turns': 'task',
  'claude/bad-resume': 'task',
  'claude/sigterm': 'interrupted',
  'codex/success': 'succeeded',
  'codex/resume': 'succeeded',
  'codex/dash-prompt': 'succeeded',
  'codex/rate-limit-429': 'rate_limited',
  'codex/insufficient-quota-429': 'billing',
  'codex/auth-401': 'auth_failed',
  'codex/server-500': 'overloaded',
  'codex/overloaded-503': 'overloaded',
  'codex/stream-rate-limit': 'rate_limited',
  'codex/context-length-exceeded': 'context_overflow',
  'codex/stall-idle-timeout': 'overloaded',
};

interface Fixture {
  agent: string;
  case: string;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  stdout: string;
  stderr: string;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const FIXTURE_DIRS = [join(here, '../../test-fixtures'), join(here, 'fixtures')];

function loadFixtures(): Map<string, Fixture> {
  const fixtures = new Map<string, Fixture>();
  for (const root of FIXTURE_DIRS) {
    for (const agent of ['claude', 'codex']) {
      const dir = join(root, agent);
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
        const fixture = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Fixture;
        fixtures.set(`${agent}/${file.replace(/\.json$/, '')}`, fixture);
      }
    }
  }
  return fixtures;
}

const fixtures = loadFixtures();
const adapters: Record<string, AgentAdapter> = { claude: createClaudeAdapter(), codex: createCodexAdapter() };

function outputLines(fixture: Fixture): string[] {
  return fixture.stdout.split('\n').filter((line) => line !== '');
}

function run(fixture: Fixture): { progress: Progress; outcome: Outcome } {
  const adapter = adapters[fixture.agent]!;
  const accumulator = adapter.createAccumulator();
  for (const line of outputLines(fixture)) accumulator.push(line);
  const progress = accumulator.progress();
  const exit = { exitCode: fixture.exitCode, signal: fixture.signal, durationMs: fixture.durationMs, stoppedBy: null, spawnError: null };
  return { progress, outcome: adapter.classify({ progress, exit, stderrTail: fixture.stderr.slice(-2000) }) };
}

describe('recorded CLI fixtures', () => {
  it('should have an expected outcome for every fixture file', () => {
    expect([...fixtures.keys()].filter((name) => !(name in EXPECTED))).toEqual([]);
    expect(fixtures.size).toBeGreaterThanOrEqual(20);
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it.skipIf(!fixtures.has(name))(`should classify ${name} as ${expected}`, () => {
      const { outcome } = run(fixtures.get(name)!);
      if (expected === 'succeeded') {
        expect(outcome).toMatchObject({ status: 'succeeded', failure: null });
        expect(outcome.result).toBeTruthy();
      } else {
        expect(outcome.status).toBe('failed');
        expect(outcome.failure?.kind).toBe(expected);
        expect(FailureSchema.safeParse(outcome.failure).success).toBe(true);
        expect(outcome.failure?.message).toBeTruthy();
      }
    });

    it.skipIf(!fixtures.has(name))(`should build a valid transcript for ${name}`, () => {
      const fixture = fixtures.get(name)!;
      const lines = outputLines(fixture);
      const entries = adapters[fixture.agent]!.transcript(lines);
      for (const entry of entries) expect(TranscriptEntrySchema.parse(entry)).toEqual(entry);
      const finals = entries.filter((e) => e.type === 'final');
      if (lines.some((l) => /"type":"(result|turn\.completed|turn\.failed)"/.test(l))) expect(finals).toHaveLength(1);
      if (finals[0]) expect(finals[0].isError).toBe(expected !== 'succeeded' && expected !== 'permission_denied');
    });
  }
});

/** The first output line, parsed (Claude's init / Codex's thread.started). */
function firstJson(fixture: Fixture): Record<string, unknown> {
  return JSON.parse(outputLines(fixture)[0] ?? '{}') as Record<string, unknown>;
}

describe('recorded failure details', () => {
  const outcomeOf = (name: string) => run(fixtures.get(name)!).outcome;

  it.skipIf(!fixtures.has('claude/rate-limit-subscription'))('should take resetsAt from the rate_limit_event', () => {
    expect(outcomeOf('claude/rate-limit-subscription').failure).toMatchObject({
      kind: 'rate_limited',
      resetsAt: '2030-03-17T17:46:40.000Z',
      httpStatus: 429,
      message: "You've hit your limit · resets Mar 17, 2030, 5:46pm (UTC)",
    });
  });

  it.skipIf(!fixtures.has('claude/rate-limit-429'))('should keep the HTTP status of an API-key rate limit', () => {
    expect(outcomeOf('claude/rate-limit-429').failure).toMatchObject({ kind: 'rate_limited', httpStatus: 429, resetsAt: null });
  });

  it.skipIf(!fixtures.has('claude/permission-denials'))('should name the denied tool and keep the answer', () => {
    const outcome = outcomeOf('claude/permission-denials');
    expect(outcome.failure?.message).toMatch(/denied permission for Write \S*hello\.txt/);
    expect(outcome.result).toBe('I could not write the file.');
  });

  it.skipIf(!fixtures.has('claude/sigterm'))('should keep the raw tail of a run with no result', () => {
    const failure = outcomeOf('claude/sigterm').failure;
    expect(failure?.rawTail).toContain('"subtype":"init"');
  });

  it.skipIf(!fixtures.has('claude/bad-resume'))('should report the missing conversation', () => {
    expect(outcomeOf('claude/bad-resume').failure?.message).toContain('No conversation found');
  });

  it.skipIf(!fixtures.has('codex/auth-401'))('should read the status out of a Codex error message', () => {
    expect(outcomeOf('codex/auth-401').failure).toMatchObject({ kind: 'auth_failed', httpStatus: 401 });
  });

  it.skipIf(!fixtures.has('codex/success'))('should read session, model, usage and tool calls from Codex', () => {
    const fixture = fixtures.get('codex/success')!;
    const { progress } = run(fixture);
    expect(progress).toMatchObject({
      agentSessionId: firstJson(fixture).thread_id,
      model: 'gpt-fake',
      usage: { inputTokens: 200, outputTokens: 40, cacheReadTokens: 0, cacheWriteTokens: 0 },
      costUsd: null,
      toolCalls: 1,
      result: 'Created codex.txt.',
      lastWarning: null,
    });
  });

  it.skipIf(!fixtures.has('claude/success-with-tool'))('should read session, model, usage and cost from Claude', () => {
    const fixture = fixtures.get('claude/success-with-tool')!;
    const { progress } = run(fixture);
    expect(progress).toMatchObject({
      agentSessionId: firstJson(fixture).session_id,
      model: 'claude-sonnet-5',
      usage: { inputTokens: 200, outputTokens: 40, cacheReadTokens: 0, cacheWriteTokens: 0 },
      costUsd: 0.0012000000000000001,
      toolCalls: 1,
      sawResult: true,
      resultIsError: false,
    });
  });
});
