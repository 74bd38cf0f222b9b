/**
 * `flotilla-director status [--json]`: the pipeline from the ledger alone (no server needed): the
 * queue per repo (routed by the last cycle, not yet in a batch), tickets in flight with their
 * stage and attempts, the storm pause and why, and what was delivered in the last 24 hours.
 */
import { loadLastCycle, loadPauseState, type LastCycle } from '../ledger/director-state.js';
import type { AttemptRecord, Ledger, OverviewBatch } from '../ledger/ledger.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { printJson, printLine, type DirectorCliContext } from './context.js';
import { DEFAULT_CONFIG, ledgerExists, ledgerPath, readConfig, stateDirOf, type GlobalOptions } from './setup.js';

const DAY_MS = 24 * 3600_000;

export interface StatusTicket {
  key: string;
  title: string;
}

export interface DirectorStatus {
  generatedAt: string;
  /** The ledger file read; `exists: false` when no director ran with this state directory yet. */
  ledger: { path: string; exists: boolean };
  /** The storm pause in force, or null. */
  pause: { until: string; reason: string; since: string } | null;
  lastCycle: Omit<LastCycle, 'routed'> | null;
  /** Per repo, the tickets the last cycle routed there that are neither in a batch nor finished. */
  queue: Array<{ repo: string; tickets: StatusTicket[] }>;
  /** Open batches: being worked on (a live lease) or waiting for their next attempt. */
  inFlight: Array<{
    batchId: string;
    repo: string;
    branch: string;
    stage: OverviewBatch['stage'];
    /** Held by a director right now (its lease runs). */
    active: boolean;
    owner: string | null;
    tickets: Array<StatusTicket & { failedAttempts: number; infraFailures: number }>;
    attempts: { total: number; burned: number; free: number };
    lastAttempt: (Omit<AttemptRecord, 'id' | 'batchId'> & { running: boolean }) | null;
  }>;
  /** Pull requests created or adopted in the last 24 h. */
  pullRequests: Array<{ repo: string; number: number | null; url: string | null; branch: string; adopted: boolean; at: string; tickets: StatusTicket[] }>;
  /** Branches recorded for review (no GitHub repo) in the last 24 h. */
  branches: Array<{ repo: string; branch: string; note: string | null; at: string; tickets: StatusTicket[] }>;
  /** Batches given up in the last 24 h, with why. */
  gaveUp: Array<{ repo: string; branch: string; note: string | null; at: string; tickets: StatusTicket[] }>;
}

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

export async function readStatus(ledger: Ledger, options: { path: string; now: number }): Promise<DirectorStatus> {
  const { now } = options;
  const since = now - DAY_MS;
  const overview = await ledger.overview(since);
  const pauseState = await loadPauseState(ledger);
  const last = await loadLastCycle(ledger);
  const ticketsOf = (batch: OverviewBatch): StatusTicket[] => batch.tickets.map((t) => ({ key: t.key, title: t.title }));
  const inBatch = new Set(overview.open.flatMap((b) => b.ticketKeys));
  const queue: DirectorStatus['queue'] = [];
  for (const [repo, routed] of Object.entries(last?.routed ?? {})) {
    const waiting: StatusTicket[] = [];
    for (const ticket of routed) {
      if (inBatch.has(ticket.key)) continue;
      const row = await ledger.ticket(ticket.key);
      if (row === null || row.status === 'open') waiting.push(ticket);
    }
    queue.push({ repo, tickets: waiting });
  }
  const batchOf = new Map(overview.closed.map((b) => [b.id, b]));
  const pause = pauseState?.pause && pauseState.pause.until > now ? pauseState.pause : null;
  return {
    generatedAt: new Date(now).toISOString(),
    ledger: { path: options.path, exists: true },
    pause: pause === null ? null : { until: new Date(pause.until).toISOString(), reason: pause.reason, since: new Date(pause.startedAt).toISOString() },
    lastCycle: last === null ? null : { startedAt: last.startedAt, endedAt: last.endedAt, by: last.by, skipped: last.skipped, sourceErrors: last.sourceErrors, preflight: last.preflight },
    queue,
    inFlight: overview.open.map((batch) => {
      const lastAttempt = batch.attempts.at(-1);
      return {
        batchId: batch.id,
        repo: batch.repo,
        branch: batch.branch,
        stage: batch.stage,
        active: batch.owner !== null && batch.leaseUntil > now,
        owner: batch.owner,
        tickets: batch.tickets.map((t) => ({ key: t.key, title: t.title, failedAttempts: t.failedAttempts, infraFailures: t.infraFailures })),
        attempts: { total: batch.attempts.length, burned: batch.attempts.filter((a) => a.burned).length, free: batch.attempts.filter((a) => a.outcome === 'failed' && !a.burned).length },
        lastAttempt:
          lastAttempt === undefined
            ? null
            : {
                number: lastAttempt.number,
                model: lastAttempt.model,
                outcome: lastAttempt.outcome,
                failureKind: lastAttempt.failureKind,
                burned: lastAttempt.burned,
                message: lastAttempt.message,
                resetsAt: lastAttempt.resetsAt,
                startedAt: lastAttempt.startedAt,
                endedAt: lastAttempt.endedAt,
                running: lastAttempt.outcome === null,
              },
      };
    }),
    pullRequests: overview.pullRequests.map((pr) => {
      const batch = batchOf.get(pr.batchId);
      return { repo: pr.repo, number: pr.number, url: pr.url, branch: pr.head, adopted: pr.adopted, at: pr.recordedAt, tickets: batch === undefined ? [] : ticketsOf(batch) };
    }),
    branches: overview.closed
      .filter((b) => b.outcome === 'branch')
      .map((b) => ({ repo: b.repo, branch: b.branch, note: b.tickets[0]?.note ?? null, at: b.updatedAt, tickets: ticketsOf(b) })),
    gaveUp: overview.closed
      .filter((b) => b.outcome === 'given_up')
      .map((b) => ({ repo: b.repo, branch: b.branch, note: b.tickets[0]?.note ?? null, at: b.updatedAt, tickets: ticketsOf(b) })),
  };
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
