import { describe, expect, it } from 'vitest';
import type { Stats } from '@flotilla/protocol';
import { attemptsPerJob, chartsOf, dayKeys, dayLabel, durationHistogram, failuresOverTime, tableOf, tokensAndCostBy, tokensAndCostByDay } from './series';

const usage = (n: number) => ({ inputTokens: n, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });
const row = (key: string, jobs: number, tokens: number, costUsd: number) => ({ key, jobs, costUsd, usage: usage(tokens) });
const NOW = Date.parse('2026-03-03T15:00:00.000Z');
const bounds = [10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 7_200_000, null];

const stats = (over: Partial<Stats> = {}): Stats => ({
  host: 'h',
  since: '2026-03-01T15:00:00.000Z',
  byStatus: { succeeded: 3 },
  byDay: [row('2026-03-01', 1, 500, 0.5), row('2026-03-03', 2, 2500, 1.25)],
  byAgent: [row('claude', 2, 1000, 1), row('codex', 1, 2000, 0.75)],
  byModel: [row('sonnet', 3, 3000, 1.75)],
  failuresByKind: { timeout: 1, overloaded: 3 },
  totals: { jobs: 3, costUsd: 1.75, usage: usage(3000) },
  failuresByDay: [
    { key: '2026-03-01', kinds: { overloaded: 2 } },
    { key: '2026-03-03', kinds: { overloaded: 1, timeout: 1 } },
  ],
  durations: { jobs: 3, p50Ms: 45_000, p90Ms: 400_000, maxMs: 400_000, buckets: bounds.map((leMs, i) => ({ leMs, jobs: i === 2 ? 2 : i === 5 ? 1 : 0 })) },
  attempts: { '1': 2, '3': 1 },
  ...over,
});

describe('dayKeys', () => {
  it('should list every UTC day from the start of the period to today', () => {
    expect(dayKeys('2026-02-27T15:00:00.000Z', NOW)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02', '2026-03-03']);
    expect(dayLabel('2026-03-01')).toBe('Mar 1');
  });
});

describe('tokensAndCostByDay', () => {
  it('should give every day of the period a value, zero when no job ran, at UTC midnights', () => {
    const spec = tokensAndCostByDay(stats(), NOW);
    expect(spec.x).toEqual([Date.parse('2026-03-01T00:00:00Z') / 1000, Date.parse('2026-03-02T00:00:00Z') / 1000, Date.parse('2026-03-03T00:00:00Z') / 1000]);
    expect(spec.series.map((s) => [s.label, s.scale, s.values])).toEqual([
      ['tokens', 'y', [500, 0, 2500]],
      ['cost', 'y2', [0.5, 0, 1.25]],
    ]);
    expect(spec.summary).toBe('3.0k tokens and $1.75 over 3 jobs; the busiest day was Mar 3 with 2.5k tokens.');
  });

  it('should say so when the period had no jobs', () => {
    expect(tokensAndCostByDay(stats({ byDay: [], totals: { jobs: 0, costUsd: 0, usage: usage(0) } }), NOW).summary).toBe('No jobs in this period.');
  });
});

describe('tokensAndCostBy', () => {
  it('should order agents by tokens and keep the job counts for the table only', () => {
    const spec = tokensAndCostBy(stats().byAgent, 'agent');
    expect(spec.xLabels).toEqual(['codex', 'claude']);
    expect(tableOf(spec)).toEqual({
      head: ['agent', 'tokens', 'cost', 'jobs'],
      rows: [
        ['codex', '2.0k', '$0.75', '1'],
        ['claude', '1.0k', '$1.00', '2'],
      ],
    });
    expect(spec.series.filter((s) => !s.tableOnly).map((s) => s.label)).toEqual(['tokens', 'cost']);
  });
});

describe('failuresOverTime', () => {
  it('should draw one series per kind, most frequent first, with zeros on days without failures', () => {
    const spec = failuresOverTime(stats(), NOW);
    expect(spec.series.map((s) => [s.label, s.values])).toEqual([
      ['overloaded', [2, 0, 1]],
      ['timeout', [0, 0, 1]],
    ]);
    expect(spec.summary).toBe('4 failed attempts: overloaded 3, timeout 1.');
  });
});

describe('durationHistogram', () => {
  it('should name each bucket by its bound and say the percentiles in words', () => {
    const spec = durationHistogram(stats());
    expect(spec.xLabels).toEqual(['≤ 10 s', '≤ 30 s', '≤ 1 min', '≤ 2 min', '≤ 5 min', '≤ 10 min', '≤ 30 min', '≤ 1 h', '≤ 2 h', '> 2 h']);
    expect(spec.series[0]!.values).toEqual([0, 0, 2, 0, 0, 1, 0, 0, 0, 0]);
    expect(spec.summary).toBe('3 jobs ended; half took at most 45 s, nine in ten at most 6 min, the longest 6 min.');
  });
});

describe('attemptsPerJob', () => {
  it('should count from one attempt to the most, with zeros between', () => {
    const spec = attemptsPerJob(stats());
    expect([spec.xLabels, spec.series[0]!.values]).toEqual([['1', '2', '3'], [2, 0, 1]]);
    expect(spec.summary).toBe('2 jobs took 1 attempt, 1 job took 3 attempts.');
  });
});

describe('chartsOf', () => {
  it('should build the six charts in reading order', () => {
    expect(chartsOf(stats(), NOW).map((c) => c.id)).toEqual(['per-day', 'per-agent', 'per-model', 'durations', 'failures', 'attempts']);
  });
});
