import type { FlotillaClient, Stats } from '@flotilla/protocol';
import { formatCount } from '../format/job.js';
import { renderTable } from '../format/table.js';
import { printJson, printLine, widthOf, type CliStreams } from '../streams.js';

export interface StatsOptions {
  client: FlotillaClient;
  streams: CliStreams;
  days?: number;
  json?: boolean;
}

type Row = Stats['byAgent'][number];

/** `cb stats`: jobs, tokens and cost by day, agent and model; failures by kind. */
export async function stats(options: StatsOptions): Promise<Stats> {
  const result = await options.client.stats(options.days !== undefined ? { days: options.days } : {});
  if (options.json) printJson(options.streams.stdout, result);
  else printLine(options.streams.stdout, formatStats(result, widthOf(options.streams.stdout)));
  return result;
}

export function formatStats(stats: Stats, width = 160): string {
  const { totals } = stats;
  const lines = [
    `since ${stats.since} on ${stats.host}: ${totals.jobs} jobs, $${totals.costUsd.toFixed(2)}, ${formatCount(totals.usage.inputTokens)} in / ${formatCount(totals.usage.outputTokens)} out tokens`,
  ];
  const statuses = Object.entries(stats.byStatus).map(([k, v]) => `${k} ${v}`);
  if (statuses.length > 0) lines.push(`by status: ${statuses.join(' · ')}`);
  const failures = Object.entries(stats.failuresByKind).map(([k, v]) => `${k} ${v}`);
  if (failures.length > 0) lines.push(`failures: ${failures.join(' · ')}`);
  for (const [title, rows] of [
    ['AGENT', stats.byAgent],
    ['MODEL', stats.byModel],
    ['DAY', stats.byDay],
  ] as const) {
    if (rows.length === 0) continue;
    lines.push('', table(title, rows, width));
  }
  return lines.join('\n');
}

function table(title: string, rows: readonly Row[], width: number): string {
  return renderTable(
    rows,
    [
      { header: title, value: (r) => r.key },
      { header: 'JOBS', value: (r) => String(r.jobs), align: 'right' },
      { header: 'COST', value: (r) => `$${r.costUsd.toFixed(2)}`, align: 'right' },
      { header: 'INPUT', value: (r) => formatCount(r.usage.inputTokens), align: 'right' },
      { header: 'OUTPUT', value: (r) => formatCount(r.usage.outputTokens), align: 'right' },
      { header: 'CACHE READ', value: (r) => formatCount(r.usage.cacheReadTokens), align: 'right' },
      { header: 'CACHE WRITE', value: (r) => formatCount(r.usage.cacheWriteTokens), align: 'right' },
    ],
    width,
  );
}
