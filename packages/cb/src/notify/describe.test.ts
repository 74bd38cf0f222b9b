import { JobSchema, type Job } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import { describeJobEnd } from './describe.js';

function job(overrides: Partial<Job>): Job {
  return JobSchema.parse({
    id: '01JD8X3Q5ZK7M2N4P6R8T0V2WA',
    host: 'local',
    status: 'succeeded',
    agent: 'claude',
    model: 'sonnet',
    prompt: 'Fix the flaky login test that fails on CI every other Tuesday afternoon',
    cwd: '/tmp',
    permissions: 'accept-edits',
    tags: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:03:05.000Z',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:03:05.000Z',
    durationMs: 185_000,
    result: '\nFixed the race in login.spec.ts.\nDetails follow.',
    failure: null,
    agentSessionId: null,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    cost: { usd: 0.4213, source: 'agent' },
    attempts: [],
    attemptsUsed: 1,
    maxAttempts: 3,
    infraRetries: 0,
    retryAt: null,
    worktree: null,
    unread: true,
    idempotencyKey: null,
    timeoutMs: null,
    idleTimeoutMs: null,
    budgetUsd: null,
    modelLadder: [],
    pending: null,
    inJob: null,
    envKeys: [],
    ...overrides,
  });
}

describe('describeJobEnd', () => {
  it('should show the first words, the first result line, cost and duration of a success', () => {
    expect(describeJobEnd(job({}))).toMatchInlineSnapshot(`
      {
        "body": "Fixed the race in login.spec.ts. · $0.42 · 3m 05s",
        "title": "cb ✔ Fix the flaky login test that fails on CI every…",
      }
    `);
  });

  it('should keep the first digit of a cost under a cent', () => {
    expect(describeJobEnd(job({ cost: { usd: 0.000613, source: 'agent' } })).body).toContain('· $0.0006 ·');
  });

  it('should describe a failure by its kind and leave out an unknown cost', () => {
    const failed = job({
      status: 'failed',
      result: null,
      failure: { kind: 'rate_limited', message: '429' },
      cost: { usd: 0, source: 'unknown' },
      durationMs: 12_000,
      prompt: 'short',
    });
    expect(describeJobEnd(failed)).toMatchInlineSnapshot(`
      {
        "body": "the model provider rate-limited this credential · 12s",
        "title": "cb ✘ short",
      }
    `);
    expect(describeJobEnd(job({ status: 'dead', failure: { kind: 'crashed', message: '' }, durationMs: 7_380_000 })).body).toBe(
      'gave up: the agent process ended without a recognisable result · $0.42 · 2h 03m',
    );
    expect(describeJobEnd(job({ status: 'cancelled', durationMs: null })).body).toBe('cancelled · $0.42');
  });
});
