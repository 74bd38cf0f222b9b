/**
 * `/api/stats` for the fleet: every reachable host's stats summed. Counts, costs and tokens add up
 * exactly; the duration percentiles are read back from the summed buckets (each host reports the
 * same bounds), so they are exact to a bucket, and the maximum is the largest host's.
 */
import type { Stats, Usage } from '@flotilla/protocol';

type CountRow = Stats['byDay'][number];

export function mergeStats(hubName: string, all: readonly Stats[]): Stats {
  const since = all.map((stats) => stats.since).sort()[0] ?? new Date().toISOString();
  return {
    host: hubName,
    since,
    byStatus: sumRecords(all.map((stats) => stats.byStatus)),
    byDay: mergeRows(all.flatMap((stats) => stats.byDay)),
    byAgent: mergeRows(all.flatMap((stats) => stats.byAgent)),
    byModel: mergeRows(all.flatMap((stats) => stats.byModel)),
    failuresByKind: sumRecords(all.map((stats) => stats.failuresByKind)),
    totals: {
      jobs: all.reduce((sum, stats) => sum + stats.totals.jobs, 0),
      costUsd: all.reduce((sum, stats) => sum + stats.totals.costUsd, 0),
      usage: all.reduce((sum, stats) => addUsage(sum, stats.totals.usage), { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }),
    },
    failuresByDay: [...groupBy(all.flatMap((stats) => stats.failuresByDay), (row) => row.key)]
      .map(([key, rows]) => ({ key, kinds: sumRecords(rows.map((row) => row.kinds)) }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    durations: mergeDurations(all.map((stats) => stats.durations)),
    attempts: sumRecords(all.map((stats) => stats.attempts)),
  };
}

function sumRecords(records: readonly Record<string, number>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const record of records) for (const [key, value] of Object.entries(record)) sum[key] = (sum[key] ?? 0) + value;
  return sum;
}

function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

function mergeRows(rows: readonly CountRow[]): CountRow[] {
  return [...groupBy(rows, (row) => row.key)]
    .map(([key, group]) =>
      group.reduce((sum, row) => ({ key, jobs: sum.jobs + row.jobs, costUsd: sum.costUsd + row.costUsd, usage: addUsage(sum.usage, row.usage) })),
    )
    .sort((a, b) => a.key.localeCompare(b.key));
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}

function mergeDurations(all: readonly Stats['durations'][]): Stats['durations'] {
  const jobs = all.reduce((sum, durations) => sum + durations.jobs, 0);
  const bounds = all[0]?.buckets.map((bucket) => bucket.leMs) ?? [];
  const buckets = bounds.map((leMs, i) => ({ leMs, jobs: all.reduce((sum, durations) => sum + (durations.buckets[i]?.jobs ?? 0), 0) }));
  const maxes = all.map((durations) => durations.maxMs).filter((ms): ms is number => ms !== null);
  const maxMs = maxes.length > 0 ? Math.max(...maxes) : null;
  return { jobs, p50Ms: fromBuckets(buckets, jobs, 0.5, maxMs), p90Ms: fromBuckets(buckets, jobs, 0.9, maxMs), maxMs, buckets };
}

/** The upper bound of the bucket holding the nearest-rank percentile (the max for the last bucket). */
function fromBuckets(buckets: { leMs: number | null; jobs: number }[], jobs: number, p: number, maxMs: number | null): number | null {
  if (jobs === 0) return null;
  const rank = Math.max(1, Math.ceil(p * jobs));
  let seen = 0;
  for (const bucket of buckets) {
    seen += bucket.jobs;
    if (seen >= rank) return bucket.leMs === null ? maxMs : Math.min(bucket.leMs, maxMs ?? bucket.leMs);
  }
  return maxMs;
}
