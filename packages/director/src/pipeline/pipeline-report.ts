/**
 * The report a director pushes to the hub (`@flotilla/protocol`'s DirectorReport): the same view
 * as `flotilla-director status` (director-status.ts), with the attempts allowed, each in-flight
 * batch's flow step, failures of the last 24 h by kind, and the flows (flow-view.ts). Every text is
 * cut to the protocol's bounds, so the hub never refuses a report for a long message.
 */
import {
  DirectorReportSchema,
  MAX_PIPELINE_ITEMS,
  MAX_QUEUE_LISTED,
  type DirectorReport,
  type PipelineFlow,
  type PipelineInFlight,
  type PipelineStatus,
  type PipelineTicket,
} from '@flotilla/protocol';
import type { FlowLedger } from '../flow/flow-ledger.js';
import type { Ledger, LedgerOverview } from '../ledger/ledger.js';
import { cut } from './cut.js';
import { DAY_MS, readLedgerView, type LedgerStatus, type StatusTicket } from './director-status.js';
import { recentFlows } from './flow-view.js';

export interface BuildReportOptions {
  ledger: Ledger;
  /** The flows' record (`flows.db`), when this director has one. */
  flows: FlowLedger | null;
  id: string;
  host: string;
  everySeconds: number;
  /** The config's `attempts`. */
  maxAttempts: number;
  now: number;
}

/**
 * @example
 * const report = await buildDirectorReport({ ledger, flows, id: 'director@dragon', host: 'dragon', everySeconds: 120, maxAttempts: 3, now: Date.now() });
 * await createPipelineClient(transport).report(report);
 */
export async function buildDirectorReport(options: BuildReportOptions): Promise<DirectorReport> {
  const { status, overview } = await readLedgerView(options.ledger, options.now);
  const flows = options.flows === null ? [] : await recentFlows(options.flows, { since: options.now - DAY_MS });
  const stepOf = await flowSteps(options.flows, status, flows);
  const report: DirectorReport = {
    id: options.id,
    host: cut(options.host, 253),
    updatedAt: new Date(options.now).toISOString(),
    everySeconds: options.everySeconds,
    status: pipelineStatus(status, overview, { maxAttempts: options.maxAttempts, since: options.now - DAY_MS, stepOf }),
    flows,
  };
  // Checked here, so that a report the hub would refuse is a bug found on this side, in words.
  return DirectorReportSchema.parse(report);
}

type StepOf = (batchId: string, attempt: number | null) => { flowId: string; step: string | null } | null;

function pipelineStatus(status: LedgerStatus, overview: LedgerOverview, options: { maxAttempts: number; since: number; stepOf: StepOf }): PipelineStatus {
  const last = status.lastCycle;
  return {
    pause: status.pause === null ? null : { ...status.pause, reason: cut(status.pause.reason, 1000) },
    lastCycle:
      last === null
        ? null
        : {
            startedAt: last.startedAt,
            endedAt: last.endedAt,
            skipped: last.skipped.slice(0, MAX_PIPELINE_ITEMS).map((s) => ({ ticket: cut(s.ticket, 300), title: cut(s.title, 500), reason: cut(s.reason, 1000) })),
            sourceErrors: last.sourceErrors.slice(0, MAX_PIPELINE_ITEMS).map((e) => ({ source: cut(e.source, 100), code: cut(e.code, 100), message: cut(e.message, 2000) })),
            preflight: last.preflight?.map((h) => ({ host: cut(h.host, 253), ok: h.ok, detail: cut(h.detail, 2000) })) ?? null,
          },
    queue: status.queue.map((q) => ({ repo: cut(q.repo, 200), count: q.tickets.length, tickets: q.tickets.slice(0, MAX_QUEUE_LISTED).map(ticket) })),
    inFlight: status.inFlight.slice(0, MAX_PIPELINE_ITEMS).map((batch) => inFlight(batch, options)),
    delivered: [
      ...status.pullRequests.map((pr) => ({ kind: 'pull_request' as const, repo: pr.repo, branch: pr.branch, url: pr.url, number: pr.number, adopted: pr.adopted, note: null, at: pr.at, tickets: pr.tickets })),
      ...status.branches.map((b) => ({ kind: 'branch' as const, repo: b.repo, branch: b.branch, url: null, number: null, adopted: false, note: b.note, at: b.at, tickets: b.tickets })),
    ]
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, MAX_PIPELINE_ITEMS)
      .map((d) => ({ ...d, repo: cut(d.repo, 200), branch: cut(d.branch, 500), url: d.url === null ? null : cut(d.url, 2000), note: d.note === null ? null : cut(d.note, 2000), tickets: d.tickets.map(ticket) })),
    gaveUp: status.gaveUp.slice(0, MAX_PIPELINE_ITEMS).map((g) => ({ repo: cut(g.repo, 200), branch: cut(g.branch, 500), note: g.note === null ? null : cut(g.note, 2000), at: g.at, tickets: g.tickets.map(ticket) })),
    failures: failuresByKind(overview, options.since),
  };
}

function inFlight(batch: LedgerStatus['inFlight'][number], options: { maxAttempts: number; stepOf: StepOf }): PipelineInFlight {
  const attempt = batch.lastAttempt;
  const flow = options.stepOf(batch.batchId, attempt?.number ?? null);
  return {
    batchId: cut(batch.batchId, 200),
    repo: cut(batch.repo, 200),
    branch: cut(batch.branch, 500),
    stage: batch.stage,
    active: batch.active,
    owner: batch.owner === null ? null : cut(batch.owner, 200),
    tickets: batch.tickets.map((t) => ({ ...ticket(t), failedAttempts: t.failedAttempts })),
    attempts: {
      total: batch.attempts.total,
      // What counts towards giving up: the most attempts any of its tickets was charged.
      used: Math.max(0, ...batch.tickets.map((t) => t.failedAttempts)),
      free: batch.attempts.free,
      allowed: options.maxAttempts,
    },
    model: attempt === null ? null : cut(attempt.model, 200),
    running: attempt?.running ?? false,
    since: attempt?.startedAt ?? null,
    step: flow?.step ?? null,
    flowId: flow?.flowId ?? null,
    lastFailure:
      attempt !== null && attempt.outcome === 'failed'
        ? { kind: cut(attempt.failureKind ?? 'unknown', 100), message: attempt.message === null ? null : cut(attempt.message, 2000), burned: attempt.burned }
        : null,
  };
}

/** A batch attempt that ran through a flow is the flow `<batchId>:<attempt>` (flow-run-job.ts). */
async function flowSteps(ledger: FlowLedger | null, status: LedgerStatus, shown: PipelineFlow[]): Promise<StepOf> {
  const byId = new Map(shown.map((flow) => [flow.id, { flowId: flow.id, step: flow.state === 'running' ? flow.currentStep : null }]));
  if (ledger !== null) {
    for (const batch of status.inFlight) {
      const id = batch.lastAttempt === null ? null : `${batch.batchId}:${batch.lastAttempt.number}`;
      if (id === null || byId.has(id)) continue;
      const flow = await ledger.getFlow(id);
      if (flow !== null) byId.set(id, { flowId: cut(id, 300), step: flow.status === 'running' ? (flow.steps.at(-1)?.name ?? null) : null });
    }
  }
  return (batchId, attempt) => (attempt === null ? null : (byId.get(`${batchId}:${attempt}`) ?? null));
}

/** Attempts that ended failed since `since`, by failure kind, most frequent first. */
function failuresByKind(overview: LedgerOverview, since: number): PipelineStatus['failures'] {
  const counts = new Map<string, { count: number; burned: number }>();
  for (const batch of [...overview.open, ...overview.closed]) {
    for (const attempt of batch.attempts) {
      if (attempt.outcome !== 'failed' || attempt.endedAt === null || Date.parse(attempt.endedAt) < since) continue;
      const kind = cut(attempt.failureKind ?? 'unknown', 100);
      const entry = counts.get(kind) ?? { count: 0, burned: 0 };
      entry.count += 1;
      if (attempt.burned) entry.burned += 1;
      counts.set(kind, entry);
    }
  }
  return [...counts].map(([kind, entry]) => ({ kind, ...entry })).sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
}

function ticket(t: StatusTicket): PipelineTicket {
  return { key: cut(t.key, 300), title: cut(t.title, 500) };
}
