import { describe, expect, it } from 'vitest';
import type { Attempt, FailureKind } from '@flotilla/protocol';
import { sampleJob } from '../store/store-contract.js';
import { statsOf } from './reports.js';

const attempt = (n: number, endedAt: string, kind: FailureKind | null = null): Attempt => ({
  n,
  status: kind ? 'failed' : 'succeeded',
  reason: n === 1 ? 'new' : 'retry',
  prompt: 'do it',
  model: null,
  resumedSessionId: null,
  credential: null,
  agentSessionId: null,
  tmuxSession: `cb-${n}`,
  startedAt: endedAt,
  endedAt,
  exitCode: kind ? 1 : 0,
  failure: kind ? { kind, message: kind } : null,
  usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
  cost: { usd: 0, source: 'unknown' },
  consumedAttempt: true,
});

/** An ended job created on `day` that ran `durationMs` over the given attempts. */
const ended = (day: string, durationMs: number, attempts: Attempt[]) =>
  sampleJob({ status: 'succeeded', createdAt: `${day}T10:00:00.000Z`, startedAt: `${day}T10:00:00.000Z`, endedAt: `${day}T11:00:00.000Z`, durationMs, attempts });

describe('statsOf', () => {
  it('should count failures per day by kind, durations and attempts per job, and keep the older figures', () => {
    const jobs = [
      ended('2026-03-01', 5_000, [attempt(1, '2026-03-01T10:01:00.000Z')]),
      ended('2026-03-01', 45_000, [attempt(1, '2026-03-01T10:01:00.000Z', 'overloaded'), attempt(2, '2026-03-02T00:10:00.000Z')]),
      ended('2026-03-02', 400_000, [attempt(1, '2026-03-02T10:00:00.000Z', 'timeout'), attempt(2, '2026-03-02T10:30:00.000Z', 'timeout'), attempt(3, '2026-03-02T10:50:00.000Z')]),
      ended('2026-03-02', 9_000_000, [attempt(1, '2026-03-02T12:00:00.000Z')]),
      sampleJob({ status: 'running', createdAt: '2026-03-02T13:00:00.000Z', startedAt: '2026-03-02T13:00:00.000Z', attempts: [attempt(1, '2026-03-02T13:00:00.000Z')] }),
      sampleJob({ status: 'cancelled', createdAt: '2026-03-02T14:00:00.000Z', endedAt: '2026-03-02T14:01:00.000Z', durationMs: null }),
      ended('2026-02-01', 1_000, [attempt(1, '2026-02-01T10:00:00.000Z', 'crashed')]),
    ];
    const stats = statsOf(jobs, { host: 'h', since: '2026-03-01T00:00:00.000Z' });
    expect(stats.totals.jobs).toBe(6);
    expect(stats.failuresByKind).toEqual({ overloaded: 1, timeout: 2 });
    expect(stats.failuresByDay).toEqual([
      { key: '2026-03-01', kinds: { overloaded: 1 } },
      { key: '2026-03-02', kinds: { timeout: 2 } },
    ]);
    expect(stats.attempts).toEqual({ '1': 2, '2': 1, '3': 1 });
    expect(stats.durations).toMatchObject({ jobs: 4, p50Ms: 45_000, p90Ms: 9_000_000, maxMs: 9_000_000 });
    expect(stats.durations.buckets.map((b) => [b.leMs, b.jobs])).toEqual([
      [10_000, 1],
      [30_000, 0],
      [60_000, 1],
      [120_000, 0],
      [300_000, 0],
      [600_000, 1],
      [1_800_000, 0],
      [3_600_000, 0],
      [7_200_000, 0],
      [null, 1],
    ]);
  });

  it('should answer empty figures, with every bucket, for a period without jobs', () => {
    const stats = statsOf([], { host: 'h', since: '2026-03-01T00:00:00.000Z' });
    expect(stats).toMatchObject({ failuresByDay: [], attempts: {}, durations: { jobs: 0, p50Ms: null, p90Ms: null, maxMs: null } });
    expect(stats.durations.buckets).toHaveLength(10);
    expect(stats.durations.buckets.every((b) => b.jobs === 0)).toBe(true);
  });
});
