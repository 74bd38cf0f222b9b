/**
 * The director's pipeline read from its ledger alone (no server needed): the queue per repo (routed
 * by the last cycle, not yet in a batch), tickets in flight with their stage and attempts, the storm
 * pause and why, and what was delivered or given up in the last 24 hours. `flotilla-director status`
 * prints it; the pipeline reporter (pipeline-report.ts) pushes the same view to the hub.
 */
import { loadLastCycle, loadPauseState, type LastCycle } from '../ledger/director-state.js';
import type { AttemptRecord, Ledger, LedgerOverview, OverviewBatch } from '../ledger/ledger.js';

export const DAY_MS = 24 * 3600_000;

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

/** What the ledger says, without naming its file. */
export type LedgerStatus = Omit<DirectorStatus, 'ledger'>;

export async function readStatus(ledger: Ledger, options: { path: string; now: number }): Promise<DirectorStatus> {
  const { status } = await readLedgerView(ledger, options.now);
  return { ...status, ledger: { path: options.path, exists: true } };
}

/** The status and the ledger's overview it was made from (open batches, and what closed in the last 24 h, with every attempt). */
export async function readLedgerView(ledger: Ledger, now: number): Promise<{ status: LedgerStatus; overview: LedgerOverview }> {
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
  const status: LedgerStatus = {
    generatedAt: new Date(now).toISOString(),
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
  return { status, overview };
}
