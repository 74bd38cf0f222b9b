import type { FlotillaClient, GcReport, GcRequest } from '@flotilla/protocol';
import { printJson, printLine, type CliStreams } from '../streams.js';

export interface GcOptions {
  client: FlotillaClient;
  streams: CliStreams;
  dryRun?: boolean;
  olderThanDays?: number;
  json?: boolean;
}

/** `cb gc`: removes finished worktrees, logs and jobs past the retention settings. */
export async function gc(options: GcOptions): Promise<GcReport> {
  const request: GcRequest = {};
  if (options.dryRun) request.dryRun = true;
  if (options.olderThanDays !== undefined) request.olderThanDays = options.olderThanDays;
  const report = await options.client.gc(request);
  if (options.json) printJson(options.streams.stdout, report);
  else printLine(options.streams.stdout, formatGc(report));
  return report;
}

export function formatGc(report: GcReport): string {
  const verb = report.dryRun ? 'would remove' : 'removed';
  const lines = [
    `${verb} ${report.jobsRemoved.length} job${report.jobsRemoved.length === 1 ? '' : 's'} and ${report.worktreesRemoved.length} worktree${report.worktreesRemoved.length === 1 ? '' : 's'}, ${formatBytes(report.bytesFreed)}`,
  ];
  for (const path of report.worktreesRemoved) lines.push(`  - ${path}`);
  if (report.worktreesKept.length > 0) lines.push(`kept ${report.worktreesKept.length}:`);
  for (const kept of report.worktreesKept) lines.push(`  ${kept.path}  (${kept.reason})`);
  return lines.join('\n');
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
