import type { Stats, Usage } from '@flotilla/protocol';
import { formatCost, formatDuration, formatTokens } from '../../ui/format';

/** How a series' numbers read in words (axis ticks, the table, the summary). */
export type Unit = 'tokens' | 'cost' | 'count';

export interface ChartSeries {
  label: string;
  values: number[];
  kind: 'bars' | 'line';
  /** `y2`: the right-hand axis (cost next to tokens). */
  scale: 'y' | 'y2';
  unit: Unit;
  /** Listed in the table, not drawn. */
  tableOnly?: boolean;
}

/**
 * One chart, ready to draw and to read: `x` is unix seconds (UTC midnights) when `time`, else the
 * categories' indices; `xLabels` names every x in words. `summary` is the chart in one sentence.
 */
export interface ChartSpec {
  id: string;
  title: string;
  xHeader: string;
  x: number[];
  xLabels: string[];
  time: boolean;
  series: ChartSeries[];
  summary: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;

/** `2026-03-04` → `Mar 4` (the day keys are UTC days, shown as such). */
export function dayLabel(key: string): string {
  const [, month, day] = key.split('-');
  return `${MONTHS[Number(month) - 1] ?? month} ${Number(day)}`;
}

/** Every UTC day from `since` to `now`, inclusive, as `YYYY-MM-DD`: days without jobs get zeros. */
export function dayKeys(since: string, now: number): string[] {
  const keys: string[] = [];
  const end = new Date(now).toISOString().slice(0, 10);
  for (let t = Date.parse(`${since.slice(0, 10)}T00:00:00.000Z`); keys.length < 3660; t += DAY_MS) {
    const key = new Date(t).toISOString().slice(0, 10);
    keys.push(key);
    if (key >= end) break;
  }
  return keys;
}

/** `1 job`, `3 jobs`. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function totalTokens(usage: Usage): number {
  return usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
}

export function formatValue(value: number, unit: Unit): string {
  if (unit === 'tokens') return formatTokens(value);
  if (unit === 'cost') return formatCost(value);
  return String(value);
}

function daySeconds(keys: readonly string[]): number[] {
  return keys.map((key) => Date.parse(`${key}T00:00:00.000Z`) / 1000);
}

export function tokensAndCostByDay(stats: Stats, now: number): ChartSpec {
  const keys = dayKeys(stats.since, now);
  const rows = new Map(stats.byDay.map((row) => [row.key, row]));
  const tokens = keys.map((key) => (rows.has(key) ? totalTokens(rows.get(key)!.usage) : 0));
  const cost = keys.map((key) => rows.get(key)?.costUsd ?? 0);
  const busiest = tokens.reduce((best, n, i) => (n > (tokens[best] ?? 0) ? i : best), 0);
  const summary =
    stats.totals.jobs === 0
      ? 'No jobs in this period.'
      : `${formatTokens(totalTokens(stats.totals.usage))} tokens and ${formatCost(stats.totals.costUsd)} over ${plural(stats.totals.jobs, 'job')}; the busiest day was ${dayLabel(keys[busiest]!)} with ${formatTokens(tokens[busiest])} tokens.`;
  return {
    id: 'per-day',
    title: 'Tokens and cost per day',
    xHeader: 'day (UTC)',
    x: daySeconds(keys),
    xLabels: keys.map(dayLabel),
    time: true,
    series: [
      { label: 'tokens', values: tokens, kind: 'bars', scale: 'y', unit: 'tokens' },
      { label: 'cost', values: cost, kind: 'line', scale: 'y2', unit: 'cost' },
    ],
    summary,
  };
}

/** Tokens and cost per agent or per model, busiest first. */
export function tokensAndCostBy(rows: Stats['byAgent'], what: 'agent' | 'model'): ChartSpec {
  const sorted = [...rows].sort((a, b) => totalTokens(b.usage) - totalTokens(a.usage) || b.jobs - a.jobs);
  const summary = sorted.length
    ? sorted.map((row) => `${row.key}: ${plural(row.jobs, 'job')}, ${formatTokens(totalTokens(row.usage))} tokens, ${formatCost(row.costUsd)}`).join('; ') + '.'
    : 'No jobs in this period.';
  return {
    id: `per-${what}`,
    title: `Tokens and cost per ${what}`,
    xHeader: what,
    x: sorted.map((_, i) => i),
    xLabels: sorted.map((row) => row.key),
    time: false,
    series: [
      { label: 'tokens', values: sorted.map((row) => totalTokens(row.usage)), kind: 'bars', scale: 'y', unit: 'tokens' },
      { label: 'cost', values: sorted.map((row) => row.costUsd), kind: 'bars', scale: 'y2', unit: 'cost' },
      { label: 'jobs', values: sorted.map((row) => row.jobs), kind: 'bars', scale: 'y', unit: 'count', tableOnly: true },
    ],
    summary,
  };
}

/** Failed attempts per day, one line per failure kind (most frequent first). */
export function failuresOverTime(stats: Stats, now: number): ChartSpec {
  const keys = dayKeys(stats.since, now);
  const byDay = new Map(stats.failuresByDay.map((row) => [row.key, row.kinds]));
  const kinds = Object.entries(stats.failuresByKind).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const total = kinds.reduce((n, [, count]) => n + count, 0);
  return {
    id: 'failures',
    title: 'Failures by kind over time',
    xHeader: 'day (UTC)',
    x: daySeconds(keys),
    xLabels: keys.map(dayLabel),
    time: true,
    series: kinds.map(([kind]) => ({ label: kind.replace(/_/g, ' '), values: keys.map((key) => byDay.get(key)?.[kind] ?? 0), kind: 'line', scale: 'y', unit: 'count' })),
    summary: total ? `${plural(total, 'failed attempt')}: ${kinds.map(([kind, n]) => `${kind.replace(/_/g, ' ')} ${n}`).join(', ')}.` : 'No failed attempts in this period.',
  };
}

/** A round bound in its largest whole unit: `10 s`, `5 min`, `2 h`. */
function boundLabel(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return formatDuration(ms);
}

function bucketLabel(leMs: number | null, previous: number | null): string {
  if (leMs === null) return previous === null ? 'any' : `> ${boundLabel(previous)}`;
  return `≤ ${boundLabel(leMs)}`;
}

/** How long the ended jobs took, as a histogram. */
export function durationHistogram(stats: Stats): ChartSpec {
  const { buckets, jobs, p50Ms, p90Ms, maxMs } = stats.durations;
  const labels = buckets.map((bucket, i) => bucketLabel(bucket.leMs, buckets[i - 1]?.leMs ?? null));
  return {
    id: 'durations',
    title: 'Job durations',
    xHeader: 'took',
    x: buckets.map((_, i) => i),
    xLabels: labels,
    time: false,
    series: [{ label: 'jobs', values: buckets.map((bucket) => bucket.jobs), kind: 'bars', scale: 'y', unit: 'count' }],
    summary:
      jobs && p50Ms !== null && p90Ms !== null && maxMs !== null
        ? `${plural(jobs, 'job')} ended; half took at most ${formatDuration(p50Ms)}, nine in ten at most ${formatDuration(p90Ms)}, the longest ${formatDuration(maxMs)}.`
        : 'No job ran to its end in this period.',
  };
}

/** How many attempts the ended jobs took; counts from 1 to the most, with zeros between. */
export function attemptsPerJob(stats: Stats): ChartSpec {
  const most = Math.max(1, ...Object.keys(stats.attempts).map(Number).filter(Number.isFinite));
  const counts = Array.from({ length: most }, (_, i) => stats.attempts[String(i + 1)] ?? 0);
  const total = counts.reduce((a, b) => a + b, 0);
  const phrase = counts
    .map((n, i) => (n ? `${plural(n, 'job')} took ${plural(i + 1, 'attempt')}` : null))
    .filter((text): text is string => text !== null);
  return {
    id: 'attempts',
    title: 'Attempts per job',
    xHeader: 'attempts',
    x: counts.map((_, i) => i),
    xLabels: counts.map((_, i) => String(i + 1)),
    time: false,
    series: [{ label: 'jobs', values: counts, kind: 'bars', scale: 'y', unit: 'count' }],
    summary: total ? `${phrase.join(', ')}.` : 'No job ended in this period.',
  };
}

/** The chart's numbers as a table: one row per x, one column per series. */
export function tableOf(spec: ChartSpec): { head: string[]; rows: string[][] } {
  return {
    head: [spec.xHeader, ...spec.series.map((series) => series.label)],
    rows: spec.xLabels.map((label, i) => [label, ...spec.series.map((series) => formatValue(series.values[i] ?? 0, series.unit))]),
  };
}

/** Every chart of the stats page, in reading order. */
export function chartsOf(stats: Stats, now: number): ChartSpec[] {
  return [
    tokensAndCostByDay(stats, now),
    tokensAndCostBy(stats.byAgent, 'agent'),
    tokensAndCostBy(stats.byModel, 'model'),
    durationHistogram(stats),
    failuresOverTime(stats, now),
    attemptsPerJob(stats),
  ];
}
