/**
 * `flotilla-director status [--json]`: the pipeline from the ledger alone (no server needed): the
 * queue per repo (routed by the last cycle, not yet in a batch), tickets in flight with their
 * stage and attempts, the storm pause and why, and what was delivered in the last 24 hours.
 */
import { readStatus, type DirectorStatus } from '../pipeline/director-status.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { printJson, printLine, type DirectorCliContext } from './context.js';
import { DEFAULT_CONFIG, ledgerExists, ledgerPath, readConfig, stateDirOf, type GlobalOptions } from './setup.js';

// The builder lives with the pipeline reporter, which pushes the same view to the hub.
export { readStatus, type DirectorStatus, type StatusTicket } from '../pipeline/director-status.js';

export async function status(ctx: DirectorCliContext, options: GlobalOptions & { json: boolean }): Promise<void> {
  const stateDir = await findStateDir(ctx, options);
  const path = ledgerPath(stateDir);
  const exists = ledgerExists(stateDir);
  let report: DirectorStatus;
  if (!exists) {
    report = { generatedAt: new Date().toISOString(), ledger: { path, exists }, pause: null, lastCycle: null, queue: [], inFlight: [], pullRequests: [], branches: [], gaveUp: [] };
  } else {
    const ledger = openSqliteLedger(path);
    try {
      report = await readStatus(ledger, { path, now: Date.now() });
    } finally {
      await ledger.close();
    }
  }
  if (options.json) printJson(ctx.streams.stdout, report);
  else for (const line of formatStatus(report)) printLine(ctx.streams.stdout, line);
}

/** The config's state directory; without a config file (none given, none in the directory), `$FLOTILLA_HOME/director`. */
async function findStateDir(ctx: DirectorCliContext, options: GlobalOptions): Promise<string> {
  if (options.config === undefined) {
    const { existsSync } = await import('node:fs');
    const { resolve } = await import('node:path');
    if (!existsSync(resolve(ctx.cwd, DEFAULT_CONFIG))) return stateDirOf(ctx, undefined, null);
  }
  return (await readConfig(ctx, options)).stateDir;
}

export function formatStatus(report: DirectorStatus): string[] {
  const lines: string[] = [];
  if (!report.ledger.exists) return [`no director has run with this state directory yet (${report.ledger.path})`];
  lines.push(report.pause ? `PAUSED until ${report.pause.until} (since ${report.pause.since}): ${report.pause.reason}` : 'not paused');
  const last = report.lastCycle;
  if (last === null) lines.push('last cycle: none yet');
  else {
    lines.push(`last cycle: ${last.startedAt} - ${last.endedAt} by ${last.by}`);
    for (const host of last.preflight ?? []) lines.push(`  pre-flight ${host.host}: ${host.ok ? 'ok' : 'FAILED'} - ${host.detail}`);
    for (const skip of last.skipped) lines.push(`  skipped ${skip.ticket} "${skip.title}": ${skip.reason}`);
    for (const error of last.sourceErrors) lines.push(`  source ${error.source} failed (${error.code}): ${error.message}`);
  }
  lines.push('queue:');
  if (report.queue.every((q) => q.tickets.length === 0)) lines.push('  (empty)');
  for (const { repo, tickets } of report.queue) if (tickets.length > 0) lines.push(`  ${repo}: ${tickets.length} - ${tickets.map((t) => `${t.key} "${t.title}"`).join(', ')}`);
  lines.push('in flight:');
  if (report.inFlight.length === 0) lines.push('  (none)');
  for (const batch of report.inFlight) {
    const attempt = batch.lastAttempt;
    const lastText = attempt === null ? 'no attempt yet' : attempt.running ? `attempt ${attempt.number} running on ${attempt.model}` : `attempt ${attempt.number} on ${attempt.model}: ${attempt.outcome}${attempt.failureKind ? ` (${attempt.failureKind}${attempt.burned ? '' : ', free'})` : ''}`;
    lines.push(`  ${batch.repo} ${batch.branch} [${batch.stage}${batch.active ? `, held by ${batch.owner}` : ', waiting'}] ${batch.tickets.map((t) => t.key).join(', ')}: ${batch.attempts.total} attempts (${batch.attempts.burned} used); ${lastText}`);
  }
  lines.push('pull requests (24 h):');
  if (report.pullRequests.length === 0) lines.push('  (none)');
  for (const pr of report.pullRequests) lines.push(`  ${pr.url ?? pr.branch}${pr.adopted ? ' (adopted)' : ''} - ${pr.tickets.map((t) => t.key).join(', ')}`);
  if (report.branches.length > 0) lines.push('branches for review (24 h):');
  for (const branch of report.branches) lines.push(`  ${branch.repo} ${branch.branch} - ${branch.tickets.map((t) => t.key).join(', ')}${branch.note ? `: ${branch.note}` : ''}`);
  if (report.gaveUp.length > 0) lines.push('given up (24 h):');
  for (const batch of report.gaveUp) lines.push(`  ${batch.repo} ${batch.branch} - ${batch.tickets.map((t) => t.key).join(', ')}${batch.note ? `: ${batch.note}` : ''}`);
  return lines;
}
