/** A cycle report in lines a person reads (the JSON is `--json`). */
import type { BatchReport, CycleReport } from '../cycle/report.js';

const FAILED_OUTCOMES: ReadonlySet<BatchReport['outcome']> = new Set(['error', 'retry_later', 'gave_up']);

/** Whether `start --once` should exit non-zero: a batch failed, a source failed, or a host failed its pre-flight. */
export function cycleFailed(report: CycleReport): boolean {
  return report.batches.some((b) => FAILED_OUTCOMES.has(b.outcome)) || report.sourceErrors.length > 0 || (report.preflight ?? []).some((h) => !h.ok);
}

export function formatCycle(report: CycleReport): string[] {
  const lines: string[] = [];
  const time = (iso: string): string => iso.slice(11, 19);
  lines.push(`cycle ${time(report.startedAt)}-${time(report.endedAt)}: ${report.batches.length} batch${report.batches.length === 1 ? '' : 'es'}, ${report.skipped.length} skipped`);
  for (const host of report.preflight ?? []) lines.push(`  pre-flight ${host.host}: ${host.ok ? 'ok' : 'FAILED'} - ${host.detail}`);
  for (const batch of report.batches) {
    const mark = FAILED_OUTCOMES.has(batch.outcome) ? 'x' : batch.outcome === 'pull_request' || batch.outcome === 'branch' ? '+' : '-';
    const where = [batch.host, batch.model, batch.failureKind].filter((part) => part !== undefined).join(', ');
    lines.push(`  ${mark} ${batch.repo} ${batch.branch}: ${batch.outcome}${where ? ` [${where}]` : ''} - ${batch.detail}${batch.link ? ` ${batch.link}` : ''}`);
  }
  for (const skip of report.skipped) lines.push(`  skipped ${skip.ticket} "${skip.title}": ${skip.reason}`);
  for (const error of report.sourceErrors) lines.push(`  source ${error.source} failed (${error.code}): ${error.message}`);
  if (report.pause) lines.push(`  ${report.pause.started ? 'PAUSING' : 'paused'} until ${report.pause.until}: ${report.pause.reason}`);
  return lines;
}
